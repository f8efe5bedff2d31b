import { type RedisCluster, startRedisCluster } from '../../src/testing/index';

let cluster: RedisCluster | undefined;

/**
 * vitest globalSetup of `pnpm test:cluster`: starts a 3-master, 3-replica Redis Cluster and gives
 * the suite `REDIS_CLUSTER_NODES` (the test workers inherit this environment), so the same tests
 * run on it by configuration alone.
 */
export async function setup(): Promise<void> {
  cluster = await startRedisCluster();
  delete process.env.REDIS_URL;
  process.env.REDIS_CLUSTER_NODES = cluster.nodeList;
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}
