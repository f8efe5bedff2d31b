// Standalone Cody worker: runs the persistence worker and the tool worker without the server. Configuration comes from the environment; SIGTERM/SIGINT stop it cleanly.
import { RedisTransport } from '@cody/redis';
import { CodyError } from '@cody/schema';
import { createStore } from '@cody/store';
import { PersistenceWorker } from '../persistence/persistence-worker';
import { loadToolWorkerConfig, type ToolWorkerConfig } from '../tool-worker/load-tool-worker-config';
import { ToolWorker } from '../tool-worker/tool-worker';
import { jsonLogger } from './json-logger';
import { loadWorkerConfig, type WorkerConfig, WorkerConfigError } from './load-worker-config';

async function main(): Promise<void> {
  let config: WorkerConfig;
  let toolConfig: ToolWorkerConfig;
  try {
    config = loadWorkerConfig();
    toolConfig = loadToolWorkerConfig(process.env);
  } catch (error) {
    if (!(error instanceof WorkerConfigError) && !CodyError.isInstance(error)) throw error;
    console.error(`cody worker: bad configuration: ${(error as Error).message}`);
    process.exit(2);
  }
  const logger = jsonLogger(config.logLevel, { pid: process.pid, component: 'cody-worker' });
  const transport = new RedisTransport({
    url: config.redisUrl,
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
    ownerGraceMs: config.ownerGraceMs,
  });

  const tools = new ToolWorker({ transport, logger, ...toolConfig });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await Promise.all([persistence.stop(), tools.stop()]);
    await store.close();
    await transport.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

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
