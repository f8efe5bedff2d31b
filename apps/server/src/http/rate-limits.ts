import { CodyError, ERROR_CODES } from '@cody/schema';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

export interface RateLimitSettings {
  /** Requests per client and window to all non-public routes. */
  api: number;
  /** Submits per client and window (each spends provider tokens), counted on their own. */
  submit: number;
  windowSeconds: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which limit a route counts against; default `api`. */
    limit?: 'api' | 'submit';
  }
}

/**
 * `@fastify/rate-limit` per client IP, in this process's memory. Public routes (`/health`, the
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
    allowList: (request) => request.routeOptions.config.public === true,
    errorResponseBuilder: (_request, context) =>
      new CodyError(
        ERROR_CODES.RATE_LIMITED,
        `rate limit reached: ${context.max} requests per ${settings.windowSeconds} s from this client; retry in ${context.after}`,
        { isRetryable: true },
      ),
  });
}
