import { replies } from '@cody/test-llm';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { readSseStream, startPrivateRedis, startWorkerChild, withIds } from './support-stream-helpers';

it('explore', async () => {
  const redisServer = await startPrivateRedis();
  const stack: Stack = await startStack({
    env: { REDIS_URL: redisServer.url, CODY_WORKERS: 'none' },
    rules: [{ match: { marker: 'CR3' }, reply: replies.text(Array.from({ length: 300 }, (_, i) => `x${i} `), { delayMs: 20 }) }],
  });
  const worker = await startWorkerChild('persistence', { REDIS_URL: redisServer.url, CODY_REDIS_PREFIX: stack.prefix, LOG_LEVEL: 'debug' });
  const redis = new Redis(redisServer.url); redis.on('error', () => {});
  const runIds: string[] = [];
  for (let i = 0; i < 3; i++) runIds.push((await stack.submit({ prompt: `stream CR3 ${i}` })).runId);
  const readers = runIds.map((runId) => readSseStream(stack.baseUrl, runId).then((m) => withIds(m).slice(-3).map((x) => x.event + ' ' + x.data.slice(0, 300))));
  await new Promise((r) => setTimeout(r, 1500));
  console.log('before', JSON.stringify(await Promise.all(runIds.map(async (id) => (await stack.api<any>('GET', `/api/v2/runs/${id}`)).json?.status))));
  await redisServer.restart({ downMs: 500 });
  const t0 = Date.now();
  for (let i = 0; i < 12; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const statuses = await Promise.all(runIds.map(async (id) => { const r = await stack.api<any>('GET', `/api/v2/runs/${id}`); return r.status + ':' + (r.json?.status ?? '') + ':' + (r.json?.error?.code ?? ''); }));
    console.log(Date.now() - t0, JSON.stringify(statuses), JSON.stringify(stack.server?.context.transport.tailer.stats()));
  }
  console.log('KEYS', JSON.stringify(await redis.keys('*')));
  for (const id of runIds) { const entries = await redis.xrange(`${stack.prefix}run:{${id}}:events`, '-', '+'); console.log('STREAM', id.slice(0, 8), entries.length, JSON.stringify(entries.map((e) => JSON.parse(e[1][1] as string).type))); }
  console.log('WORKERLOG', worker.output().split('\n').filter((l) => !l.includes('"debug"') || l.includes('watch')).map((l) => l.slice(0, 400)).join('\n'));
  const s2 = await Promise.all(runIds.map(async (id) => { try { const m = await readSseStream(stack.baseUrl, id); return withIds(m).map((x) => x.event).join(','); } catch (e) { return String(e).slice(0, 80); } }));
  console.log('SSE after', JSON.stringify(s2));
  const timeout = new Promise((r) => setTimeout(() => r('HANGING'), 3000));
  console.log('readers', JSON.stringify(await Promise.race([Promise.all(readers), timeout])));
  const after = await stack.submit({ prompt: 'after restart' });
  console.log('new run', JSON.stringify((await stack.waitForRun(after.runId)).status));
  redis.disconnect();
  await stack.close();
  await redisServer.stop();
}, 120000);
