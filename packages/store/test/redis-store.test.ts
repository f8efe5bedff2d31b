import { CodyError } from '@cody/schema';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index';
import { describeStoreContract, makeResponse } from './store-contract';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// one prefix per suite run, one sub-prefix per store: parallel and repeated runs never share keys
const suitePrefix = `test:store:${crypto.randomUUID()}:`;
let client: Redis;
let stores = 0;

beforeAll(() => {
  client = new Redis(redisUrl);
});

afterAll(async () => {
  // test cleanup only: the store itself never scans
  const keys: string[] = [];
  for await (const batch of client.scanStream({ match: `${suitePrefix}*`, count: 1000 })) keys.push(...batch);
  if (keys.length > 0) await client.unlink(...keys);
  await client.quit();
});

const newPrefix = () => `${suitePrefix}${stores++}:`;

describeStoreContract('RedisStore', async () => new RedisStore({ redis: client, prefix: newPrefix() }));

describe('RedisStore specifics', () => {
  it('keeps every key under its prefix, a run’s keys under the run’s hash tag', async () => {
    const prefix = newPrefix();
    const store = new RedisStore({ redis: client, prefix });
    const thread = await store.createThread();
    const response = makeResponse(thread.id);
    await store.putRun({ response, lastStreamId: '1-0' });
    const keys: string[] = [];
    for await (const batch of client.scanStream({ match: `${prefix}*` })) keys.push(...batch);
    expect(keys.sort()).toEqual(
      [
        `${prefix}run:{${response.id}}:snapshot`,
        `${prefix}thread:{${thread.id}}`,
        `${prefix}thread:{${thread.id}}:runs`,
        `${prefix}threads:by-updated`,
      ].sort(),
    );
    const other = new RedisStore({ redis: client, prefix: newPrefix() });
    expect(await other.getThread(thread.id)).toBeNull();
    expect(await other.getRun(response.id)).toBeNull();
  });

  it('skips and cleans an index entry whose thread is gone (a crash between two steps)', async () => {
    const prefix = newPrefix();
    const store = new RedisStore({ redis: client, prefix });
    const threads = [];
    for (let i = 0; i < 5; i++) threads.push(await store.createThread({ title: `t${i}` }));
    await client.del(`${prefix}thread:{${threads[2]!.id}}`, `${prefix}thread:{${threads[3]!.id}}`);

    const first = await store.listThreads({ limit: 2 });
    const second = await store.listThreads({ limit: 2, cursor: first.nextCursor });
    const shown = [...first.threads, ...second.threads].map((t) => t.id);
    expect(shown.sort()).toEqual([threads[0]!.id, threads[1]!.id, threads[4]!.id].sort());
    expect(second.nextCursor).toBeNull();
    expect(await client.zcard(`${prefix}threads:by-updated`)).toBe(3);
  });

  it('writes a big snapshot whole on every put (no read-modify-write of the stored value)', async () => {
    const store = new RedisStore({ redis: client, prefix: newPrefix() });
    const thread = await store.createThread();
    const response = makeResponse(thread.id, {
      output_items: [
        { id: crypto.randomUUID(), type: 'message', origin: 'agent', content: 'x'.repeat(4 << 20) },
      ],
    });
    for (let i = 1; i <= 5; i++) await store.putRun({ response, lastStreamId: `${i}-0` });
    expect((await store.getRun(response.id))?.lastStreamId).toBe('5-0');
  });

  it('connects from a URL and closes the connection it opened', async () => {
    const store = new RedisStore({ redis: redisUrl, prefix: newPrefix() });
    await store.ping();
    await store.close();
    await store.close();
  });

  it('rejects ping with a retryable STORE_ERROR when Redis is unreachable', async () => {
    const store = new RedisStore({ redis: 'redis://127.0.0.1:1', prefix: newPrefix(), pingTimeoutMs: 300 });
    const error = await store.ping().catch((e: unknown) => e);
    expect(CodyError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'STORE_ERROR', isRetryable: true });
    await store.close();
  });
});
