import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTransport, resolveRedisTopology, type StreamEntry } from '../src/index';
import { type RedisSentinelSetup, startRedisSentinel } from '../src/testing/index';
import { eventually, RunBuilder, uniquePrefix } from './helpers';

// Sentinel-managed Redis (1 master, 1 replica, 1 sentinel of its own): configured by
// REDIS_SENTINELS + REDIS_SENTINEL_NAME, reached through the sentinel, passes the start-up check
let setup: RedisSentinelSetup;
let transport: RedisTransport;
let other: RedisTransport;
beforeAll(async () => {
  setup = await startRedisSentinel();
  const topology = resolveRedisTopology({
    REDIS_SENTINELS: setup.sentinelList,
    REDIS_SENTINEL_NAME: setup.name,
  });
  const prefix = uniquePrefix('redis-sentinel');
  transport = new RedisTransport({ topology, prefix });
  other = new RedisTransport({ topology, prefix });
});
afterAll(async () => {
  await transport?.close();
  await other?.close();
  await setup?.stop();
});

describe('on Sentinel', () => {
  it('connects to the master the sentinel names and passes the topology check', async () => {
    await transport.assertTopology();
    const run = new RunBuilder();
    await transport.publish(run.start());
    // the server answering is the master, on the master's port
    expect(await transport.redis.info('server')).toMatch(new RegExp(`tcp_port:${setup.masterPort}\\b`));
    expect(await transport.redis.info('replication')).toMatch(/role:master/);
  });

  it('publishes, tails and cancels across processes', async () => {
    const run = new RunBuilder();
    const events = run.messageRun(['a', 'b', 'c']);
    const got: StreamEntry[] = [];
    const reading = (async () => {
      for await (const entry of other.tail(run.runId)) {
        got.push(entry);
        if (got.length === events.length) return;
      }
    })();
    for (const event of events) await transport.publish(event);
    await reading;
    expect(got.map((entry) => entry.event)).toEqual(events);

    const heard: string[] = [];
    other.cancels.onCancel((id) => heard.push(id));
    const probe = randomUUID();
    await eventually(async () => {
      await transport.cancels.request(probe);
      return heard.includes(probe);
    });
    expect(await other.cancels.isRequested(probe)).toBe(true);
  });
});
