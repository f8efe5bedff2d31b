import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../src/index';
import { ConsumerGroup, createRedisConnection, createRedisKeys, PROJECTOR_GROUP } from '../src/index';
import { nodeForKey } from '../src/node-for-key';
import { ON_CLUSTER, REDIS_TOPOLOGY, uniquePrefix } from './helpers';

const prefix = uniquePrefix('redis-group');
const keys = createRedisKeys(prefix);
let redis: RedisClient;
let blocking: RedisClient;
const streams: string[] = [];

beforeAll(() => {
  redis = createRedisConnection(REDIS_TOPOLOGY);
  blocking = createRedisConnection(REDIS_TOPOLOGY);
});
afterAll(async () => {
  for (const stream of streams) await redis.del(stream);
  redis.disconnect();
  blocking.disconnect();
});

function group(consumer: string, stream: string): ConsumerGroup {
  return new ConsumerGroup({ redis, blocking, stream, group: PROJECTOR_GROUP, consumer });
}

function freshStream(): string {
  const stream = `${keys.announce}:${randomUUID().slice(0, 8)}`;
  streams.push(stream);
  return stream;
}

describe('ConsumerGroup', () => {
  it('creates the group idempotently (MKSTREAM) and reads each entry once', async () => {
    const stream = freshStream();
    const a = group('a', stream);
    await a.ensure();
    await a.ensure();
    expect(await redis.exists(stream)).toBe(1);
    await redis.xadd(stream, '*', 'run', 'r1');
    await redis.xadd(stream, '*', 'run', 'r2');
    const first = await a.read({ count: 10, blockMs: 100 });
    expect(first.map((entry) => entry.fields.run)).toEqual(['r1', 'r2']);
    expect(await group('b', stream).read({ blockMs: 50 })).toEqual([]);
    expect((await a.pending()).map((entry) => entry.consumer)).toEqual(['a', 'a']);
    expect(await a.ack([(first[0] as { id: string }).id])).toBe(1);
    await a.ackAndDelete([(first[1] as { id: string }).id]);
    expect(await a.pendingCount()).toBe(0);
    expect(await redis.xlen(stream)).toBe(1);
  });

  it('a blocked read returns as soon as an entry arrives', async () => {
    const stream = freshStream();
    const a = group('a', stream);
    await a.ensure();
    const reading = a.read({ blockMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await redis.xadd(stream, '*', 'run', 'late');
    expect((await reading).map((entry) => entry.fields.run)).toEqual(['late']);
  });

  it('claims the idle entries of a dead consumer, while kept-alive entries stay with their owner', async () => {
    const stream = freshStream();
    const dead = group('dead', stream);
    const live = group('live', stream);
    const rescuer = group('rescuer', stream);
    await dead.ensure();
    await redis.xadd(stream, '*', 'run', 'of-dead');
    const [deadEntry] = await dead.read({ blockMs: 50 });
    await redis.xadd(stream, '*', 'run', 'of-live');
    const [liveEntry] = await live.read({ blockMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const kept = await live.keepAlive([(liveEntry as { id: string }).id]);
    expect(kept).toEqual({ kept: [(liveEntry as { id: string }).id], lost: [] });
    const { claimed } = await rescuer.autoClaim(100);
    expect(claimed.map((entry) => entry.fields.run)).toEqual(['of-dead']);
    expect(await rescuer.ownerOf((deadEntry as { id: string }).id)).toBe('rescuer');
    expect(await rescuer.ownerOf((liveEntry as { id: string }).id)).toBe('live');
    // the dead consumer learns it lost the entry instead of stealing it back
    expect(await dead.keepAlive([(deadEntry as { id: string }).id])).toEqual({
      kept: [],
      lost: [(deadEntry as { id: string }).id],
    });
    expect(await rescuer.ownerOf((deadEntry as { id: string }).id)).toBe('rescuer');
  });

  it('reports pending entries whose stream entry was deleted instead of claiming them', async () => {
    const stream = freshStream();
    const a = group('a', stream);
    await a.ensure();
    const id = await redis.xadd(stream, '*', 'run', 'gone');
    await a.read({ blockMs: 50 });
    await redis.xdel(stream, id as string);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { claimed, deleted } = await group('b', stream).autoClaim(10);
    expect(claimed).toEqual([]);
    expect(deleted).toEqual([id]);
  });

  it('re-creates a group Redis lost (a restart without persistence) instead of failing', async () => {
    const stream = freshStream();
    const a = group('a', stream);
    await a.ensure();
    await redis.del(stream);
    expect(await a.read({ blockMs: 20 })).toEqual([]);
    expect(await redis.exists(stream)).toBe(1);
    expect(await a.pendingCount()).toBe(0);
  });

  it('removes consumers that hold nothing and have been idle', async () => {
    const stream = freshStream();
    const a = group('a', stream);
    await a.ensure();
    const ghost = group('ghost', stream);
    await redis.xadd(stream, '*', 'run', 'r');
    await ghost.ack((await ghost.read({ blockMs: 10 })).map((entry) => entry.id));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await a.removeIdleConsumers(50)).toEqual(['ghost']);
    const consumers = (await redis.call('XINFO', 'CONSUMERS', stream, PROJECTOR_GROUP)) as unknown[];
    expect(consumers).toHaveLength(0);
  });

  it('a read stops when its signal aborts, even on a connection dropped while it reconnects', async () => {
    // ioredis keeps a command that was in flight when the socket died in a queue that
    // disconnect() does not flush while reconnecting: the read itself would never settle
    const stream = freshStream();
    const dropped = createRedisConnection(REDIS_TOPOLOGY, { redisOptions: { retryStrategy: () => 60_000 } });
    try {
      const reader = new ConsumerGroup({
        redis,
        blocking: dropped,
        stream,
        group: PROJECTOR_GROUP,
        consumer: 'r',
      });
      await reader.ensure();
      // on a cluster: the connections to the node serving the stream's slot
      const droppedNode = await nodeForKey(dropped, stream);
      const adminNode = await nodeForKey(redis, stream);
      const clientId = await droppedNode.client('ID');
      const controller = new AbortController();
      const reading = reader.read({ blockMs: 60_000, signal: controller.signal });
      await eventuallyBlocked(adminNode, clientId);
      // a cluster's node connection does not reconnect by itself (the Cluster re-routes instead)
      const lost = new Promise((resolve) =>
        ON_CLUSTER ? droppedNode.once('close', resolve) : dropped.once('reconnecting', resolve),
      );
      await adminNode.client('KILL', 'ID', String(clientId));
      await lost;
      controller.abort();
      dropped.disconnect();
      expect(await reading).toEqual([]);
    } finally {
      dropped.disconnect();
    }
  });
});

/** Resolves once the client is blocked in a command (CLIENT LIST shows `flags=b`). */
async function eventuallyBlocked(node: Redis, clientId: unknown): Promise<void> {
  for (;;) {
    const list = (await node.client('LIST', 'ID', String(clientId))) as string;
    if (/ flags=\S*b/.test(list)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
