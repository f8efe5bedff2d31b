import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../src/index';
import { createRedisConnection, isClusterClient, LeaseLostError, RedisTransport } from '../src/index';
import { keySlot } from '../src/keys-by-slot';
import { nodeForKey } from '../src/node-for-key';
import { deleteRunKeys, eventually, REDIS_TOPOLOGY, RunBuilder, uniquePrefix } from './helpers';

const prefix = uniquePrefix('redis-coord');
let transport: RedisTransport;
let other: RedisTransport;
let admin: RedisClient;
const runs = new Set<string>();

beforeAll(() => {
  transport = new RedisTransport({ topology: REDIS_TOPOLOGY, prefix });
  other = new RedisTransport({ topology: REDIS_TOPOLOGY, prefix });
  admin = createRedisConnection(REDIS_TOPOLOGY);
});
afterAll(async () => {
  await deleteRunKeys(admin, prefix, runs, transport.keys);
  await transport.close();
  await other.close();
  admin.disconnect();
});

function runId(): string {
  const id = randomUUID();
  runs.add(id);
  return id;
}

describe('run lease', () => {
  it('is held by one owner; only the owner renews or releases it', async () => {
    const run = runId();
    const { leases } = transport;
    expect(await leases.isAlive(run)).toBe(false);
    expect(await leases.acquire(run, 'driver-a')).toBe(true);
    expect(await leases.acquire(run, 'driver-b')).toBe(false);
    expect(await leases.owner(run)).toBe('driver-a');
    const ttl = await admin.pttl(transport.keys.runLease(run));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3000);
    expect(await leases.renew(run, 'driver-b')).toBe(false);
    expect(await leases.renew(run, 'driver-a', 5000)).toBe(true);
    expect(await leases.release(run, 'driver-b')).toBe(false);
    expect(await leases.release(run, 'driver-a')).toBe(true);
    expect(await leases.isAlive(run)).toBe(false);
  });

  it('lapses when nobody renews it, and a keeper keeps it past its TTL', async () => {
    const lapsing = runId();
    const kept = runId();
    await transport.leases.acquire(lapsing, 'x', 200);
    await transport.leases.acquire(kept, 'y', 200);
    const keeper = transport.keepLease(kept, 'y', { ttlMs: 200, intervalMs: 50 });
    await eventually(async () => !(await transport.leases.isAlive(lapsing)));
    expect(await transport.leases.isAlive(kept)).toBe(true);
    await keeper.stop();
    expect(await transport.leases.isAlive(kept)).toBe(false);
  });

  it('a lease that lapsed under its live owner (Redis restarted past its expiry) is taken back while the run is open', async () => {
    const run = new RunBuilder();
    runs.add(run.runId);
    const startId = await transport.publish(run.start());
    await transport.publish(run.messageStart(randomUUID()));
    await transport.leases.acquire(run.runId, 'owner', 3000);
    await admin.del(transport.keys.runLease(run.runId));
    // without knowing which stream it wrote, the owner cannot prove the run is still its own
    expect(await transport.leases.renew(run.runId, 'owner')).toBe(false);
    expect(await transport.leases.renew(run.runId, 'owner', 3000, startId)).toBe(true);
    expect(await transport.leases.owner(run.runId)).toBe('owner');
    // another owner's lease is never taken
    await admin.set(transport.keys.runLease(run.runId), 'someone-else', 'PX', 3000);
    expect(await transport.leases.renew(run.runId, 'owner', 3000, startId)).toBe(false);
    // once the run ended (the watchdog's verdict), it stays lost
    await admin.del(transport.keys.runLease(run.runId));
    await transport.publish(
      run.event({
        type: 'response_error',
        response_id: run.runId,
        error: { code: 'RUN_OWNER_LOST', message: 'gone' },
      }),
    );
    expect(await transport.leases.renew(run.runId, 'owner', 3000, startId)).toBe(false);
    expect(await transport.leases.isAlive(run.runId)).toBe(false);
  });

  it('a lapsed lease is not taken back when the stream was lost and recreated by a stray publish', async () => {
    const run = new RunBuilder();
    runs.add(run.runId);
    await transport.publish(run.delta(randomUUID(), 'stray'));
    expect(await transport.leases.renew(run.runId, 'owner', 3000, '1-0')).toBe(false);
    expect(await transport.leases.isAlive(run.runId)).toBe(false);
  });

  it('a lapsed lease is not taken back when the stream was recreated with a response_start of its own', async () => {
    // the persistence worker restores a lost run (response_start first) before ending it; a
    // renewal landing between the two must not hand the run back to its old driver
    const run = new RunBuilder();
    runs.add(run.runId);
    const startId = await transport.publish(run.start());
    await admin.del(transport.keys.runEvents(run.runId));
    // a restarted Redis mints ids from a later clock: wait out the millisecond of the first id
    await new Promise((resolve) => setTimeout(resolve, 2));
    await transport.publish(run.start());
    await transport.publish(run.messageStart(randomUUID()));
    expect(await transport.leases.renew(run.runId, 'owner', 3000, startId)).toBe(false);
    expect(await transport.leases.isAlive(run.runId)).toBe(false);
  });

  it('a keeper takes a lapsed lease back only once it knows the stream it wrote', async () => {
    const run = new RunBuilder();
    runs.add(run.runId);
    const startId = await transport.publish(run.start());
    await transport.leases.acquire(run.runId, 'k', 3000);
    const keeper = transport.keepLease(run.runId, 'k', { intervalMs: 30 });
    keeper.anchorStream(startId);
    await admin.del(transport.keys.runLease(run.runId));
    await eventually(async () => (await transport.leases.owner(run.runId)) === 'k');
    expect(keeper.signal.aborted).toBe(false);
    await keeper.stop();
  });

  it("the keeper's signal aborts with LeaseLostError once the lease is gone", async () => {
    const run = runId();
    await transport.leases.acquire(run, 'z', 3000);
    const keeper = transport.keepLease(run, 'z', { intervalMs: 30 });
    await admin.del(transport.keys.runLease(run));
    await eventually(() => keeper.signal.aborted);
    expect(keeper.signal.reason).toBeInstanceOf(LeaseLostError);
    expect((keeper.signal.reason as LeaseLostError).code).toBe('LEASE_LOST');
    await keeper.stop();
  });
});

describe('announce', () => {
  it('records whether the run had a lease when it was announced', async () => {
    const leased = runId();
    const bare = runId();
    await transport.leases.acquire(leased, 'driver');
    const a = await transport.announceRun(leased);
    const b = await transport.announceRun(bare);
    // each on its run's shard of the announce stream (the only one on a single node)
    expect(await admin.xrange(transport.keys.announceStream(leased), a, a)).toEqual([
      [a, ['run', leased, 'lease', '1']],
    ]);
    expect(await admin.xrange(transport.keys.announceStream(bare), b, b)).toEqual([[b, ['run', bare]]]);
  });
});

describe('cancel', () => {
  it('sets a durable flag and tells listeners in other processes', async () => {
    const run = runId();
    const heard: string[] = [];
    const unsubscribe = other.cancels.onCancel((id) => heard.push(id));
    // the subscription is live once a message published after it arrives
    const probe = runId();
    await eventually(async () => {
      await transport.cancels.request(probe);
      return heard.includes(probe);
    });
    expect(await transport.cancels.isRequested(run)).toBe(false);
    await transport.cancels.request(run);
    await eventually(() => heard.includes(run));
    expect(await other.cancels.isRequested(run)).toBe(true);
    unsubscribe();
    const after = runId();
    await transport.cancels.request(after);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heard).not.toContain(after);
  });

  it('goes by sharded pub/sub to a shard channel on a cluster (no broadcast), by PUBLISH on a single node', async () => {
    const listening = new RedisTransport({ topology: REDIS_TOPOLOGY, prefix });
    try {
      const heard: string[] = [];
      listening.cancels.onCancel((id) => heard.push(id));
      const probe = runId();
      await eventually(async () => {
        await transport.cancels.request(probe);
        return heard.includes(probe);
      });
      const channel = transport.keys.cancelShardChannel(probe);
      if (isClusterClient(admin)) {
        // the node owning the channel's slot has the shard subscription; nobody uses the broadcast channel
        const node = await nodeForKey(admin, channel);
        // `other` (the test above) listens as well
        const [name, count] = (await node.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
        expect(name).toBe(channel);
        expect(count).toBeGreaterThanOrEqual(1);
        const plain = await Promise.all(
          admin
            .nodes('master')
            .map((master) => master.call('PUBSUB', 'NUMSUB', transport.keys.cancelChannel)),
        );
        expect(plain).toEqual(plain.map(() => [transport.keys.cancelChannel, 0]));
      } else {
        const [, count] = (await admin.call('PUBSUB', 'NUMSUB', transport.keys.cancelChannel)) as [
          string,
          number,
        ];
        expect(count).toBeGreaterThanOrEqual(1);
      }
      expect(new Set(transport.keys.cancelShardChannels.map((key) => keySlot(key))).size).toBe(16);
    } finally {
      await listening.close();
    }
  });
});

describe('expireRun', () => {
  it("gives the run's keys a TTL and leaves the lease's own PX alone", async () => {
    const builder = new RunBuilder();
    runs.add(builder.runId);
    const run = builder.runId;
    await transport.publish(builder.start());
    await transport.cancels.request(run);
    await admin.hset(transport.keys.runCalls(run), 'call_1', 'done');
    await transport.leases.acquire(run, 'driver', 3000);
    await transport.expireRun(run, 600);
    for (const key of transport.keys.runExpiring(run)) {
      const ttl = await admin.ttl(key);
      expect(ttl).toBeGreaterThan(590);
      expect(ttl).toBeLessThanOrEqual(600);
    }
    expect(await admin.pttl(transport.keys.runLease(run))).toBeLessThanOrEqual(3000);
  });
});

describe('publishIfUnchanged', () => {
  it('appends only while the stream and lease are as the caller last saw them', async () => {
    const builder = new RunBuilder();
    runs.add(builder.runId);
    const run = builder.runId;
    const firstId = await transport.publish(builder.start());
    await transport.leases.acquire(run, 'driver', 3000);
    const heartbeat = () => builder.event({ type: 'heartbeat' });
    expect(
      await transport.publishIfUnchanged(run, [heartbeat()], { lastId: firstId, noLease: true }),
    ).toEqual({
      status: 'leased',
    });
    await transport.leases.release(run, 'driver');
    expect(await transport.publishIfUnchanged(run, [heartbeat()], { lastId: '0-0', noLease: true })).toEqual({
      status: 'moved',
      lastId: firstId,
    });
    const result = await transport.publishIfUnchanged(run, [heartbeat(), heartbeat()], {
      lastId: firstId,
      noLease: true,
    });
    expect(result.status).toBe('published');
    const ids = result.status === 'published' ? result.ids : [];
    expect(ids).toHaveLength(2);
    expect((await transport.readRange(run)).map((entry) => entry.id)).toEqual([firstId, ...ids]);
  });

  it('validates every event and refuses one of another run before writing anything', async () => {
    const builder = new RunBuilder();
    runs.add(builder.runId);
    const stranger = new RunBuilder();
    await expect(
      transport.publishIfUnchanged(builder.runId, [builder.start(), stranger.start()]),
    ).rejects.toThrow(/belongs to run/);
    await expect(
      transport.publishIfUnchanged(builder.runId, [{ ...builder.start(), event_id: 'nope' }]),
    ).rejects.toThrow(/event_id/);
    expect(await admin.exists(transport.keys.runEvents(builder.runId))).toBe(0);
  });
});
