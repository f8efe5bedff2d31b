import { startRedisCluster } from '@cody/redis/testing';
import { CodyError } from '@cody/schema';
import { describe, expect, it } from 'vitest';
import { createCodyServer, loadConfig } from '../src/index';

describe('Redis topology configuration', () => {
  it('reads REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS (one of them)', () => {
    expect(loadConfig({}).redis).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
    expect(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' }).redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '127.0.0.1', port: 7001 },
      ],
    });
    expect(loadConfig({ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'cody' }).redis).toEqual({
      kind: 'sentinel',
      sentinels: [{ host: 's', port: 26379 }],
      name: 'cody',
    });
  });

  it.each([
    [{ REDIS_CLUSTER_NODES: 'localhost' }, /REDIS_CLUSTER_NODES: "localhost" is not host:port/],
    [{ REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'b:2' }, /REDIS_CLUSTER_NODES: set only one of/],
    [{ REDIS_SENTINELS: 's:26379' }, /REDIS_SENTINEL_NAME: must name the master/],
  ])('refuses %o with a CONFIGURATION_ERROR naming the variable', (env, message) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(CodyError.isInstance(caught) && caught.code).toBe('CONFIGURATION_ERROR');
    expect((caught as Error).message).toMatch(message);
  });

  it('refuses to start on a Redis Cluster node given as REDIS_URL', async () => {
    const cluster = await startRedisCluster({ replicasPerMaster: 0 });
    try {
      const node = cluster.nodes[0] as { host: string; port: number };
      const env = {
        REDIS_URL: `redis://${node.host}:${node.port}`,
        CODY_WORKERS: 'none',
        LOG_LEVEL: 'silent',
      };
      const error = await createCodyServer({ config: loadConfig(env), env, logger: false }).catch(
        (caught: unknown) => caught,
      );
      expect(CodyError.isInstance(error) && error.code).toBe('CONFIGURATION_ERROR');
      expect((error as Error).message).toMatch(/REDIS_URL: .*cluster_enabled:1.*set REDIS_CLUSTER_NODES/);
    } finally {
      await cluster.stop();
    }
  });
});
