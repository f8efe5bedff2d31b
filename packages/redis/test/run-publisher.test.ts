import { createServer } from 'node:net';
import type { StreamPayload } from '@cody/schema';
import { CodyError } from '@cody/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTransport } from '../src/index';
import { deleteRunKeys, REDIS_TOPOLOGY, RunBuilder, uniquePrefix } from './helpers';

const prefix = uniquePrefix('redis-run-publisher');
let transport: RedisTransport;
const runs = new Set<string>();

beforeAll(() => {
  transport = new RedisTransport({ topology: REDIS_TOPOLOGY, prefix });
});
afterAll(async () => {
  await deleteRunKeys(transport.redis, prefix, runs);
  await transport.close();
});

function builder(): RunBuilder {
  const run = new RunBuilder();
  runs.add(run.runId);
  return run;
}

/** The payloads of a whole run: start, one message of `n` deltas, done. */
function payloads(run: RunBuilder, n: number): StreamPayload[] {
  return run.messageRun(Array.from({ length: n }, (_, i) => `${i} `)).map((event) => event.payload);
}

describe('RunPublisher', () => {
  it('does not wait for Redis per event, writes in emit order, and batches what one tick produced', async () => {
    const run = builder();
    const publisher = transport.runPublisher(run.runId);
    const batches: number[] = [];
    publisher.onPublished((entries) => batches.push(entries.length));
    const all = payloads(run, 500);
    for (const payload of all) await publisher.emit(payload);
    // every emit resolved, and the batch has not even been sent: it goes out after this tick
    expect(await transport.redis.xlen(transport.keys.runEvents(run.runId))).toBe(0);
    const lastId = await publisher.flush();
    const read = await transport.readRange(run.runId);
    expect(read.map((entry) => entry.event.payload)).toEqual(all);
    expect(lastId).toBe(read.at(-1)?.id);
    expect(batches).toEqual([all.length]);
  });

  it('keeps order across batches while one is in flight, and holds emit back past maxQueued', async () => {
    const run = builder();
    const publisher = transport.runPublisher(run.runId, { maxQueued: 10 });
    const batches: number[] = [];
    publisher.onPublished((entries) => batches.push(entries.length));
    const all = payloads(run, 200);
    let held = 0;
    for (const payload of all) {
      const emitted = publisher.emit(payload);
      let settled = false;
      void emitted.then(() => {
        settled = true;
      });
      await Promise.resolve();
      if (!settled) held++;
      await emitted;
    }
    await publisher.flush();
    const read = await transport.readRange(run.runId);
    expect(read.map((entry) => entry.event.payload)).toEqual(all);
    expect(held).toBeGreaterThan(0);
    expect(Math.max(...batches)).toBeLessThanOrEqual(10);
  });

  it('rejects an invalid payload with its ValidationError and queues nothing', async () => {
    const run = builder();
    const publisher = transport.runPublisher(run.runId);
    const error = await publisher
      .emit({ type: 'item_delta', item_id: 'not a uuid', delta_content: 'x' } as StreamPayload)
      .catch((e: unknown) => e);
    expect(CodyError.isInstance(error) && error.code).toBe('INVALID_EVENT');
    expect(await publisher.flush()).toBeUndefined();
    expect(await transport.redis.exists(transport.keys.runEvents(run.runId))).toBe(0);
  });

  it('fails with the stall error when Redis does not answer, and refuses everything after', async () => {
    // a port that accepts connections and never answers: commands wait like during an outage
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const own = new RedisTransport({ url: `redis://127.0.0.1:${port}`, prefix });
    try {
      const run = builder();
      const publisher = own.runPublisher(run.runId, {
        stallMs: 200,
        onStall: (ms) => new CodyError('REDIS_UNAVAILABLE', `no answer in ${ms} ms`),
      });
      await publisher.emit(run.start().payload);
      const failure = await publisher.flush().catch((e: unknown) => e);
      expect(CodyError.isInstance(failure) && failure.code).toBe('REDIS_UNAVAILABLE');
      const later = await publisher.emit(run.done().payload).catch((e: unknown) => e);
      expect(later).toBe(failure);
    } finally {
      own.redis.disconnect();
      silent.close();
    }
  });
});
