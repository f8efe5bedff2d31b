import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  REDIS_ERROR_CODES,
  RedisConfigurationError,
  type RedisNodeAddress,
  type RedisTopology,
  RedisTransport,
  resolveRedisTopology,
} from '../src/index';
import { startRedisCluster } from '../src/testing/index';
import { REDIS_TOPOLOGY, uniquePrefix } from './helpers';

function configurationError(run: () => unknown): RedisConfigurationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RedisConfigurationError);
    expect((error as RedisConfigurationError).code).toBe(REDIS_ERROR_CODES.CONFIGURATION_ERROR);
    return error as RedisConfigurationError;
  }
  throw new Error('expected a RedisConfigurationError');
}

describe('resolveRedisTopology', () => {
  it('defaults to the single node on 127.0.0.1:6379 and takes REDIS_URL as it is', () => {
    expect(resolveRedisTopology({})).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
    expect(resolveRedisTopology({ REDIS_URL: ' ', REDIS_CLUSTER_NODES: '' })).toEqual({
      kind: 'single',
      url: 'redis://127.0.0.1:6379',
    });
    expect(resolveRedisTopology({ REDIS_URL: 'rediss://cache:6380/2' })).toEqual({
      kind: 'single',
      url: 'rediss://cache:6380/2',
    });
  });

  it('reads cluster nodes and sentinels as host:port lists (IPv6 in brackets)', () => {
    expect(resolveRedisTopology({ REDIS_CLUSTER_NODES: '127.0.0.1:7000, redis-b:7001,[::1]:7002' })).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
    expect(
      resolveRedisTopology({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'cody' }),
    ).toEqual({
      kind: 'sentinel',
      name: 'cody',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
    });
  });

  it('refuses bad values, naming the variable', () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ REDIS_URL: 'http://x:6379' }, 'REDIS_URL', /redis:\/\//],
      [{ REDIS_URL: 'nope' }, 'REDIS_URL', /not a URL/],
      [{ REDIS_CLUSTER_NODES: '127.0.0.1' }, 'REDIS_CLUSTER_NODES', /"127\.0\.0\.1" is not host:port/],
      [{ REDIS_CLUSTER_NODES: 'a:1,,b:2' }, 'REDIS_CLUSTER_NODES', /empty entry/],
      [{ REDIS_CLUSTER_NODES: 'a:70000' }, 'REDIS_CLUSTER_NODES', /not host:port/],
      [{ REDIS_CLUSTER_NODES: 'redis://a:7000' }, 'REDIS_CLUSTER_NODES', /not host:port/],
      [{ REDIS_SENTINELS: 's1:26379' }, 'REDIS_SENTINEL_NAME', /must name the master/],
      [{ REDIS_SENTINEL_NAME: 'cody' }, 'REDIS_SENTINEL_NAME', /REDIS_SENTINELS is not/],
      [{ REDIS_SENTINELS: 'x', REDIS_SENTINEL_NAME: 'cody' }, 'REDIS_SENTINELS', /not host:port/],
      [
        { REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'a:7000' },
        'REDIS_CLUSTER_NODES',
        /only one of .*found REDIS_URL and REDIS_CLUSTER_NODES/,
      ],
      [
        { REDIS_CLUSTER_NODES: 'a:7000', REDIS_SENTINELS: 's:1', REDIS_SENTINEL_NAME: 'm' },
        'REDIS_SENTINELS',
        /only one of/,
      ],
    ];
    for (const [env, variable, message] of cases) {
      const error = configurationError(() => resolveRedisTopology(env));
      expect(error.details).toEqual({ setting: variable });
      expect(error.message).toMatch(new RegExp(`^${variable}: `));
      expect(error.message).toMatch(message);
    }
  });
});

describe('topology check at start', () => {
  const transports: RedisTransport[] = [];
  const prefix = uniquePrefix('redis-topology');
  afterAll(async () => {
    await Promise.all(transports.map((transport) => transport.close()));
  });

  function transport(topology: RedisTopology): RedisTransport {
    const created = new RedisTransport({ topology, prefix });
    transports.push(created);
    return created;
  }

  it('accepts the Redis the suite is configured for', async () => {
    await expect(transport(REDIS_TOPOLOGY).assertTopology()).resolves.toBeUndefined();
  });

  it('refuses a cluster node given as REDIS_URL, saying to set REDIS_CLUSTER_NODES', async () => {
    // on a single-node run this test starts a small cluster of its own
    const own =
      REDIS_TOPOLOGY.kind === 'cluster' ? undefined : await startRedisCluster({ replicasPerMaster: 0 });
    try {
      const node =
        REDIS_TOPOLOGY.kind === 'cluster'
          ? (REDIS_TOPOLOGY.nodes[0] as RedisNodeAddress)
          : (own?.nodes[0] as RedisNodeAddress);
      const error = await transport({ kind: 'single', url: `redis://${node.host}:${node.port}` })
        .assertTopology()
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RedisConfigurationError);
      expect((error as RedisConfigurationError).details).toEqual({ setting: 'REDIS_URL' });
      expect((error as Error).message).toMatch(/cluster_enabled:1.*set REDIS_CLUSTER_NODES/);
    } finally {
      await own?.stop();
    }
  });

  it('refuses a standalone server given as REDIS_CLUSTER_NODES, saying to set REDIS_URL', async () => {
    // the single node every suite can reach (a cluster run has it beside the cluster)
    const single = new URL(REDIS_TOPOLOGY.kind === 'single' ? REDIS_TOPOLOGY.url : 'redis://127.0.0.1:6379');
    const probe = new Redis({ host: single.hostname, port: Number(single.port), lazyConnect: true });
    const info = await probe.info('cluster');
    probe.disconnect();
    expect(info).toMatch(/cluster_enabled:0/);
    const error = await transport({
      kind: 'cluster',
      nodes: [{ host: single.hostname, port: Number(single.port) }],
    })
      .assertTopology()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RedisConfigurationError);
    expect((error as RedisConfigurationError).details).toEqual({ setting: 'REDIS_CLUSTER_NODES' });
    expect((error as Error).message).toMatch(/not in cluster mode.*set REDIS_URL/);
  });
});
