import { ConvexHttpClient } from 'convex/browser';
import { ConvexStore } from './convex/convex-store';
import { RedisStore } from './redis/redis-store';
import type { RedisClient } from './redis/run-script';
import type { Store } from './store';

export interface StoreConfig {
  /** A Convex deployment URL (`CONVEX_URL`): when set, the Convex store is used. */
  convexUrl?: string | undefined;
  /** Redis for the default store: a client the caller owns, or a URL (`REDIS_URL`). */
  redis?: RedisClient | string | undefined;
  /** Key prefix of the Redis store (`CODY_REDIS_PREFIX`); default `codex:`. */
  prefix?: string | undefined;
  /** Told about connection errors of a Redis client the store opens itself. */
  logger?: { warn(obj: object, msg?: string): void };
}

/** Convex when a deployment URL is given, Redis (the default) otherwise. */
export function createStore(config: StoreConfig = {}): Store {
  if (config.convexUrl) return new ConvexStore({ client: new ConvexHttpClient(config.convexUrl) });
  return new RedisStore({
    redis: config.redis ?? 'redis://127.0.0.1:6379',
    ...(config.prefix === undefined ? {} : { prefix: config.prefix }),
    ...(config.logger === undefined ? {} : { logger: config.logger }),
  });
}
