import { Redis, type RedisOptions } from 'ioredis';
import { RedisConfigurationError } from './errors/redis-configuration-error';
import { type Logger, silentLogger } from './logger';
import { reconnectBackoff } from './reconnect-backoff';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisConnectionOptions {
  /** `CLIENT SETNAME` of the connection (shows in CLIENT LIST); no spaces. */
  name?: string;
  logger?: Logger;
  /** Longest pause between reconnect attempts; default 2000 ms. */
  maxBackoffMs?: number;
  /** Anything else for ioredis; merged over Cody's defaults. */
  redisOptions?: RedisOptions;
}

/**
 * Opens an ioredis connection that survives a Redis restart: it reconnects forever with
 * backoff, commands issued while it is down wait in the offline queue (no per-request retry
 * limit), and commands in flight when the socket dropped are sent again after reconnecting.
 */
export function createRedisConnection(
  url: string = DEFAULT_REDIS_URL,
  options: RedisConnectionOptions = {},
): Redis {
  assertRedisUrl(url);
  const logger = options.logger ?? silentLogger;
  const maxBackoffMs = options.maxBackoffMs ?? 2000;
  const redis = new Redis(url, {
    retryStrategy: (attempt) => reconnectBackoff(attempt, maxBackoffMs),
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: true,
    // a failover turns the old primary read-only: reconnect to whatever the URL now points to
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    ...(options.name === undefined ? {} : { connectionName: options.name }),
    ...options.redisOptions,
  });
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

function assertRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisConfigurationError('REDIS_URL', `not a URL: "${url}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisConfigurationError('REDIS_URL', `must start with redis:// or rediss://, got "${url}"`);
  }
}
