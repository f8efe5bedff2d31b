import type { Cluster, Redis } from 'ioredis';

/**
 * A connection of any topology: a single-node or Sentinel-managed `Redis`, or a `Cluster`.
 * Both have the commands, `call`, `multi`, `pipeline` and the pub/sub events Cody uses; on a
 * Cluster each multi-key command, script, pipeline and transaction must stay in one slot.
 */
export type RedisClient = Redis | Cluster;

/** Whether `redis` is a Cluster client (commands are routed by key slot). */
export function isClusterClient(redis: RedisClient): redis is Cluster {
  return (redis as Cluster).isCluster === true;
}
