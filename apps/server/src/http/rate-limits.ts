import type { RedisClient } from '@cody/redis';
import { CodyError, ERROR_CODES } from '@cody/schema';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

export interface RateLimitSettings {
  /** Requests per client and window to all non-public routes. */
  api: number;
  /** Submits per client and window (each spends provider tokens), counted on their own. */
  submit: number;
  windowSeconds: number;
  /**
   * Where the counters live: shared by every server process on this Redis (several processes
   * behind one port must not each grant the full limit). Give it a connection without an offline
   * queue: while Redis is down a request is let through at once instead of waiting for it.
   */
  redis: RedisClient;
  /** Key prefix of the counters (`<CODY_REDIS_PREFIX>rate-limit:`). */
  keyPrefix: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which limit a route counts against; default `api`. */
    limit?: 'api' | 'submit';
  }
}

/**
 * `@fastify/rate-limit` per client IP, counted in Redis (its RedisStore). Public routes (`/health`, the
 * web app's files) are not limited. Over the limit: 429 `RATE_LIMITED` with `Retry-After`.
 */
export async function installRateLimits(app: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  const timeWindow = settings.windowSeconds * 1000;
  // a route marked `limit: 'submit'` gets its own counter with the submit limit (this hook must
  // run before the plugin's own onRoute hook reads `config.rateLimit`)
  app.addHook('onRoute', (route) => {
    if (route.config?.limit === 'submit') {
      route.config = { ...route.config, rateLimit: { max: settings.submit, timeWindow } };
    }
  });
  await app.register(rateLimit, {
    global: true,
    max: settings.api,
    timeWindow,
    redis: settings.redis,
    nameSpace: settings.keyPrefix,
    // Redis down: serve (the routes that need it answer for themselves) rather than refuse everyone
    skipOnError: true,
    allowList: (request) => request.routeOptions.config.public === true,
    errorResponseBuilder: (_request, context) =>
      new CodyError(
        ERROR_CODES.RATE_LIMITED,
        `rate limit reached: ${context.max} requests per ${settings.windowSeconds} s from this client; retry in ${context.after}`,
        { isRetryable: true },
      ),
  });
}
