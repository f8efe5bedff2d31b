// Standalone Cody worker: runs the persistence worker (and, once it exists, the tool worker)
// without the server. Configuration comes from the environment; SIGTERM/SIGINT stop it cleanly.
import { RedisTransport } from '@cody/redis';
import { createStore } from '@cody/store';
import { PersistenceWorker } from '../persistence/persistence-worker';
import { jsonLogger } from './json-logger';
import { loadWorkerConfig, type WorkerConfig, WorkerConfigError } from './load-worker-config';

async function main(): Promise<void> {
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig();
  } catch (error) {
    if (!(error instanceof WorkerConfigError)) throw error;
    console.error(`cody worker: bad configuration: ${error.message}`);
    process.exit(2);
  }
  const logger = jsonLogger(config.logLevel, { pid: process.pid, component: 'cody-worker' });
  const transport = new RedisTransport({ url: config.redisUrl, prefix: config.prefix, logger, name: 'cody-worker' });
  const store = createStore({ convexUrl: config.convexUrl, redis: transport.redis, prefix: config.prefix, logger });
  const persistence = new PersistenceWorker({
    transport,
    store,
    logger,
    runTtlSeconds: config.runTtlSeconds,
    claimIdleMs: config.claimIdleMs,
    writeIntervalMs: config.writeIntervalMs,
  });

  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string) => {
    stopping ??= (async () => {
      logger.info({ signal }, 'stopping');
      await persistence.stop();
      await store.close();
      await transport.close();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await persistence.start();
  logger.info({ store: store.kind, prefix: config.prefix, consumer: persistence.consumer }, 'cody worker ready');
}

main().catch((error: unknown) => {
  console.error('cody worker: failed to start', error);
  process.exit(1);
});
