import { ERROR_CODES } from '@cody/schema';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { sendError } from './send-error';

const METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Collects the routes registered after it; `answer()` then gives every path the methods it
 * lacks as 405 routes (with `Allow`). Fastify's router alone answers 404 for a known path
 * with a wrong method. They are ordinary routes, so the token and rate limits apply to them.
 */
export function collectMethodNotAllowed(app: FastifyInstance): { answer(): void } {
  const methodsByPath = new Map<string, Set<string>>();
  let answering = false;
  app.addHook('onRoute', (route) => {
    if (answering || route.url.includes('*')) return;
    const methods = methodsByPath.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    methodsByPath.set(route.url, methods);
  });
  return {
    answer() {
      answering = true;
      for (const [url, methods] of methodsByPath) {
        // hasRoute also sees the routes Fastify adds without telling onRoute (`/docs/` for `/docs`)
        const missing = METHODS.filter((method) => !methods.has(method) && !app.hasRoute({ method, url }));
        if (missing.length === 0) continue;
        const allow = METHODS.filter((method) => !missing.includes(method)).join(', ');
        app.route({
          method: missing,
          url,
          schema: { hide: true },
          handler: (request, reply) =>
            sendError(
              reply.header('allow', allow),
              405,
              ERROR_CODES.METHOD_NOT_ALLOWED,
              `${request.method} is not allowed here; allowed: ${allow}`,
            ),
        });
      }
    },
  };
}
