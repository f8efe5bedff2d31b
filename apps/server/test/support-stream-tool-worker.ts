// A tool worker in a process of its own, configured by the environment as a deployment would
// be (REDIS_URL, CODY_REDIS_PREFIX, CODY_WORKSPACE, CODY_TOOL_*): the crash suite SIGKILLs it.
// The standalone entry packages/workers/src/bin/worker.ts runs only the persistence worker.
// Started as `node --conditions=@cody/source --import tsx test/support-stream-tool-worker.ts`.
import { RedisTransport } from '@cody/redis';
import { loadToolWorkerConfig, startToolWorker } from '@cody/workers';

const log =
  (level: string) =>
  (obj: object, msg?: string): void => {
    process.stderr.write(`${JSON.stringify({ level, msg, ...obj })}\n`);
  };
const logger = { debug: () => {}, info: log('info'), warn: log('warn'), error: log('error') };

const config = loadToolWorkerConfig(process.env);
const transport = new RedisTransport({
  url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: process.env.CODY_REDIS_PREFIX ?? 'codex:',
  logger,
  name: 'cody-tool-worker',
});
const worker = await startToolWorker({
  transport,
  ...config,
  // how soon a dead worker's requests are taken over (default 5 s)
  ...(process.env.TOOL_CLAIM_IDLE_MS ? { claimIdleMs: Number(process.env.TOOL_CLAIM_IDLE_MS) } : {}),
  logger,
});
process.stdout.write(`${JSON.stringify({ msg: 'tool worker ready', consumer: worker.consumer })}\n`);

process.on('SIGTERM', () => {
  void worker
    .stop()
    .then(() => transport.close())
    .then(() => process.exit(0));
});
