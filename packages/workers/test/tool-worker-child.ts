// A tool worker in a process of its own, configured by the environment like a deployment
// (REDIS_URL, CODY_REDIS_PREFIX, CODY_WORKSPACE, CODY_TOOL_*): the crash test SIGKILLs it.
// Started as `<node or bun> --conditions=@cody/source --import tsx test/tool-worker-child.ts`.
import { RedisTransport } from '@cody/redis';
import { loadToolWorkerConfig, startToolWorker } from '../src/tool-worker/index';

const logger = {
  debug: () => {},
  info: (obj: object, msg?: string) => console.error(JSON.stringify({ level: 'info', msg, ...obj })),
  warn: (obj: object, msg?: string) => console.error(JSON.stringify({ level: 'warn', msg, ...obj })),
  error: (obj: object, msg?: string) => console.error(JSON.stringify({ level: 'error', msg, ...obj })),
};

const config = loadToolWorkerConfig(process.env);
const transport = new RedisTransport({
  url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: process.env.CODY_REDIS_PREFIX ?? 'codex:',
  logger,
  name: 'tool-worker-child',
});
const worker = await startToolWorker({ transport, ...config, logger });
console.log(`ready ${worker.consumer}`);

process.on('SIGTERM', () => {
  void worker
    .stop()
    .then(() => transport.close())
    .then(() => process.exit(0));
});
