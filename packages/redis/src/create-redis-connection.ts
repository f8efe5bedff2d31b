import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { type Logger, silentLogger } from './logger';
import { reconnectBackoff } from './reconnect-backoff';
import type { RedisClient } from './redis-client';
import { assertRedisUrl, DEFAULT_REDIS_URL, type RedisTopology } from './resolve-redis-topology';

export { DEFAULT_REDIS_URL };

export interface RedisConnectionOptions {
  /** `CLIENT SETNAME` of the connection (shows in CLIENT LIST); no spaces. */
  name?: string;
  logger?: Logger;
  /** Longest pause between reconnect attempts; default 2000 ms. */
  maxBackoffMs?: number;
  /** Anything else for ioredis (on a cluster: for every node connection); merged over Cody's defaults. */
  redisOptions?: RedisOptions;
  /** Cluster-only ioredis options (e.g. `shardedSubscribers` for SSUBSCRIBE); merged over Cody's. */
  clusterOptions?: Omit<ClusterOptions, 'redisOptions'>;
}

/**
 * Opens an ioredis connection that survives a Redis restart: it reconnects forever with
 * backoff, commands issued while it is down wait in the offline queue (no per-request retry
 * limit), and commands in flight when the socket dropped are sent again after reconnecting.
 * `target` is a URL (single node) or a topology: `new Redis(url)`, `new Cluster(nodes)` or
 * `new Redis({sentinels, name})`, all with the same reconnect and offline-queue behaviour.
 */
export function createRedisConnection(
  target: string | RedisTopology = DEFAULT_REDIS_URL,
  options: RedisConnectionOptions = {},
): RedisClient {
  const topology: RedisTopology = typeof target === 'string' ? { kind: 'single', url: target } : target;
  const logger = options.logger ?? silentLogger;
  const maxBackoffMs = options.maxBackoffMs ?? 2000;
  const retryStrategy = (attempt: number) => reconnectBackoff(attempt, maxBackoffMs);
  const common: RedisOptions = {
    retryStrategy,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: true,
    // a failover turns the old primary read-only: reconnect to whatever the URL now points to
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    ...(options.name === undefined ? {} : { connectionName: options.name }),
    ...options.redisOptions,
  };
  let redis: RedisClient;
  if (topology.kind === 'cluster') {
    redis = new Cluster(topology.nodes, {
      clusterRetryStrategy: retryStrategy,
      enableOfflineQueue: true,
      ...options.clusterOptions,
      redisOptions: common,
    });
  } else if (topology.kind === 'sentinel') {
    redis = new Redis({ ...common, sentinels: topology.sentinels, name: topology.name });
  } else {
    redis = new Redis(assertRedisUrl(topology.url), common);
  }
  let down = false;
  redis.on('error', (error: Error) => {
    // ioredis reports every failed reconnect attempt; one warning per outage is enough
    if (!down) logger.warn({ err: error, connection: options.name }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ connection: options.name }, 'redis connection restored');
    down = false;
  });
  return redis;
}
