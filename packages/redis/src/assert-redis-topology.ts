import { createRedisConnection } from './create-redis-connection';
import { RedisCommandError } from './errors/redis-command-error';
import { RedisConfigurationError } from './errors/redis-configuration-error';
import type { RedisClient } from './redis-client';
import type { RedisNodeAddress, RedisTopology } from './resolve-redis-topology';

/**
 * Compares what the server says (`INFO cluster` → `cluster_enabled`) with the configured
 * topology. Half working is worse than not starting: on a cluster node a single-node client
 * gets MOVED for most keys, and a Cluster client cannot talk to a standalone server at all.
 */
export async function assertRedisTopology(redis: RedisClient, topology: RedisTopology): Promise<void> {
  let info: string;
  try {
    // a Cluster client pointed at a standalone server never gets ready (CLUSTER SLOTS fails):
    // ask the configured nodes themselves, whichever answers first
    info = topology.kind === 'cluster' ? await firstNodeInfo(topology.nodes) : await redis.info('cluster');
  } catch (error) {
    throw new RedisCommandError('INFO cluster', error);
  }
  const enabled = /cluster_enabled:1/.test(info);
  if (enabled && topology.kind !== 'cluster') {
    const variable = topology.kind === 'single' ? 'REDIS_URL' : 'REDIS_SENTINELS';
    throw new RedisConfigurationError(
      variable,
      'the Redis server is a Redis Cluster node (INFO cluster: cluster_enabled:1); ' +
        'set REDIS_CLUSTER_NODES=host:port,… instead',
    );
  }
  if (!enabled && topology.kind === 'cluster') throw notACluster();
}

async function firstNodeInfo(nodes: readonly RedisNodeAddress[]): Promise<string> {
  const probes = nodes.map((node) =>
    createRedisConnection(`redis://${node.host.includes(':') ? `[${node.host}]` : node.host}:${node.port}`, {
      name: 'cody:topology-check',
    }),
  );
  try {
    return await Promise.any(probes.map((probe) => probe.info('cluster')));
  } finally {
    for (const probe of probes) probe.disconnect();
  }
}

function notACluster(): RedisConfigurationError {
  return new RedisConfigurationError(
    'REDIS_CLUSTER_NODES',
    'the Redis server is not in cluster mode (INFO cluster: cluster_enabled:0); ' +
      'set REDIS_URL=redis://host:port instead',
  );
}
