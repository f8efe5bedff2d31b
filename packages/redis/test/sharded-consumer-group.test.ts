import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisTransport, type ShardedConsumerGroup } from '../src/index';
import { keysBySlot } from '../src/keys-by-slot';
import { ON_CLUSTER, REDIS_TOPOLOGY, uniquePrefix } from './helpers';

const prefix = uniquePrefix('redis-sharded-group');
// a single node gets 4 shards by configuration; a cluster its default (8)
const transport = new RedisTransport({
  topology: REDIS_TOPOLOGY,
  prefix,
  ...(ON_CLUSTER ? {} : { streamShards: 4 }),
});
const consumers: ShardedConsumerGroup[] = [];

/** A consumer of `group` (each test its own group: a read left in flight by another test's consumer would take entries). */
async function consumer(name: string, group: string): Promise<ShardedConsumerGroup> {
  const created = transport.streamConsumer({
    streams: transport.keys.announceStreams,
    group,
    consumer: name,
    role: `sharded-${name}`,
  });
  consumers.push(created);
  await created.ensure('$');
  return created;
}

/** Run ids until every shard has one (the shard comes from the run id). */
function runsOnEveryShard(): string[] {
  const byStream = new Map<string, string>();
  while (byStream.size < transport.keys.announceStreams.length) {
    const run = randomUUID();
    byStream.set(transport.keys.announceStream(run), run);
  }
  return [...byStream.values()];
}

afterAll(async () => {
  await Promise.all(consumers.map((group) => group.close()));
  for (const stream of transport.keys.announceStreams) await transport.redis.del(stream);
  await transport.close();
});

describe('sharded announce stream', () => {
  it('puts each shard in a slot of its own, and each run on the shard its id names', () => {
    const streams = transport.keys.announceStreams;
    expect(streams.length).toBe(ON_CLUSTER ? 8 : 4);
    expect(keysBySlot(streams)).toHaveLength(streams.length);
    expect(streams[0]).toBe(`${prefix}runs:announce:{a0}`);
    const run = randomUUID();
    expect(transport.keys.announceStream(run)).toBe(transport.keys.announceStream(run));
    expect(new Set(runsOnEveryShard().map((id) => transport.keys.announceStream(id))).size).toBe(
      streams.length,
    );
  });
});

describe('ShardedConsumerGroup', () => {
  it('reads every shard through one consumer, each entry once, and acks by the ids it gave', async () => {
    const reader = await consumer('reader', 'g-read');
    const runs = runsOnEveryShard();
    for (const run of runs) await transport.announceRun(run);
    const seen: { id: string; run: string }[] = [];
    while (seen.length < runs.length) {
      for (const entry of await reader.read({ count: 100, blockMs: 500 })) {
        seen.push({ id: entry.id, run: entry.fields.run as string });
      }
    }
    expect(seen.map((entry) => entry.run).sort()).toEqual([...runs].sort());
    expect(new Set(seen.map((entry) => entry.id)).size).toBe(runs.length);
    expect(await reader.pendingCount()).toBe(runs.length);
    expect(await reader.ownerOf((seen[0] as { id: string }).id)).toBe('reader');
    const [one] = await reader.pending({ start: seen[0]?.id, end: seen[0]?.id, count: 1 });
    expect(one?.id).toBe(seen[0]?.id);
    expect(await reader.ack(seen.map((entry) => entry.id))).toBe(runs.length);
    expect(await reader.pendingCount()).toBe(0);
    expect(await reader.read({ blockMs: 50 })).toEqual([]);
  });

  it('a blocked read returns as soon as an entry arrives on any shard', async () => {
    const reader = await consumer('waiter', 'g-wait');
    for (const run of runsOnEveryShard()) {
      const reading = reader.read({ count: 10, blockMs: 600_000 });
      // the shard reads are blocked (or about to be): the entry wakes the one of its shard
      await transport.announceRun(run);
      const [entry] = await reading;
      expect(entry?.fields.run).toBe(run);
      await reader.ackAndDelete([entry?.id as string]);
    }
  });

  it('returns no more than `count`, keeps the rest for the next reads: each entry once', async () => {
    const reader = await consumer('counted', 'g-count');
    const runs = runsOnEveryShard();
    for (const run of runs) await transport.announceRun(run);
    const got: string[] = [];
    const returned = new Set<string>();
    while (got.length < runs.length) {
      const entries = await reader.read({ count: 1, blockMs: 500 });
      expect(entries.length).toBeLessThanOrEqual(1);
      for (const entry of entries) {
        got.push(entry.fields.run as string);
        returned.add(entry.id);
      }
    }
    expect(returned.size).toBe(runs.length);
    expect(got.sort()).toEqual([...runs].sort());
    const pending = await reader.pending();
    await reader.ackAndDelete(pending.map((entry) => entry.id));
    expect(await reader.pendingCount()).toBe(0);
  });

  it("claims a dead consumer's entries on every shard, and keeps its own alive", async () => {
    const dead = await consumer('dead', 'g-claim');
    const alive = await consumer('alive', 'g-claim');
    const runs = runsOnEveryShard();
    for (const run of runs) await transport.announceRun(run);
    const held: string[] = [];
    while (held.length < runs.length)
      for (const entry of await dead.read({ count: 100, blockMs: 500 })) held.push(entry.id);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const kept = held.slice(0, 1);
    expect((await dead.keepAlive(kept)).kept).toEqual(kept);
    const { claimed } = await alive.autoClaim(20);
    expect(claimed.map((entry) => entry.id).sort()).toEqual(held.slice(1).sort());
    expect((await dead.keepAlive(held)).lost.sort()).toEqual(held.slice(1).sort());
    await alive.ackAndDelete(claimed.map((entry) => entry.id));
    await dead.ackAndDelete(kept);
    expect(await alive.pendingCount()).toBe(0);
  });
});
