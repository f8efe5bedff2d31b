// Standalone Cody worker: runs the persistence worker and the tool worker without the server. Configuration comes from the environment; SIGTERM/SIGINT stop it cleanly.
import { RedisTransport } from '@cody/redis';
import { CodyError } from '@cody/schema';
import { createStore } from '@cody/store';
import { loadTelemetryConfig, type TelemetryConfig } from '@cody/telemetry/config';
import { PersistenceWorker } from '../persistence/persistence-worker';
import { loadToolWorkerConfig, type ToolWorkerConfig } from '../tool-worker/load-tool-worker-config';
import { ToolWorker } from '../tool-worker/tool-worker';
import { jsonLogger } from './json-logger';
import { loadWorkerConfig, type WorkerConfig, WorkerConfigError } from './load-worker-config';

async function main(): Promise<void> {
  let config: WorkerConfig;
  let toolConfig: ToolWorkerConfig;
  let telemetryConfig: TelemetryConfig;
  try {
    config = loadWorkerConfig();
    toolConfig = loadToolWorkerConfig(process.env);
    telemetryConfig = loadTelemetryConfig(process.env);
  } catch (error) {
    if (!(error instanceof WorkerConfigError) && !CodyError.isInstance(error)) throw error;
    console.error(`cody worker: bad configuration: ${(error as Error).message}`);
    process.exit(2);
  }
  // the same tracer setup as the server, so persistence and tool spans join each run's trace;
  // loaded only when spans go somewhere (trace context is passed on without an SDK as well)
  const exporting = telemetryConfig.destinations.length > 0 || telemetryConfig.console;
  const telemetry = exporting
    ? (await import('@cody/telemetry')).startTelemetry({
        config: telemetryConfig,
        serviceName: 'cody-worker',
      })
    : undefined;
  const logger = jsonLogger(config.logLevel, { pid: process.pid, component: 'cody-worker' });
  const transport = new RedisTransport({
    topology: config.redis,
    prefix: config.prefix,
    logger,
    name: 'cody-worker',
  });
  const store = createStore({
    convexUrl: config.convexUrl,
    redis: transport.redis,
    prefix: config.prefix,
    logger,
  });
  const persistence = new PersistenceWorker({
    transport,
    store,
    logger,
    runTtlSeconds: config.runTtlSeconds,
    claimIdleMs: config.claimIdleMs,
    writeIntervalMs: config.writeIntervalMs,
    liveIntervalMs: config.liveIntervalMs,
    ownerGraceMs: config.ownerGraceMs,
  });

  const tools = new ToolWorker({
    transport,
    logger,
    ...toolConfig,
    traceContent: telemetryConfig.traceContent,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await Promise.all([persistence.stop(), tools.stop()]);
    await store.close();
    await transport.close();
    await telemetry?.shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    // a Redis the configuration does not describe (a cluster node as REDIS_URL) would half work
    await transport.assertTopology();
  } catch (error) {
    if (!CodyError.isInstance(error) || error.code !== 'CONFIGURATION_ERROR') throw error;
    console.error(`cody worker: bad configuration: ${error.message}`);
    await transport.close();
    process.exit(2);
  }
  await persistence.start();
  await tools.start();
  logger.info(
    { store: store.kind, prefix: config.prefix, consumer: persistence.consumer },
    'cody worker ready',
  );
}

main().catch((error: unknown) => {
  console.error('cody worker: failed to start', error);
  process.exit(1);
});
