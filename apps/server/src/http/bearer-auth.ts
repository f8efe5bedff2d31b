import { createHash, timingSafeEqual } from 'node:crypto';
import { ERROR_CODES } from '@cody/schema';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { sendError } from './send-error';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route anyone may call without the token (`/health`, the web app's files). */
    public?: boolean;
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * When a token is configured, every route requires `Authorization: Bearer <token>` unless it is
 * marked `config.public`. Decided on the route the router matched, never on the URL text, so no
 * spelling of a path (`/%61pi`, …) reaches a handler without it; requests that match no route
 * reach only the 404 handler, which serves nothing. The hook is added to each route after the
 * rate limiter's, so refused attempts still count against the client's limit.
 */
export function installBearerAuth(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  // equal-length digests: timingSafeEqual neither throws nor leaks the token's length
  const expected = digest(token);
  const check: onRequestHookHandler = async function bearerAuth(
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    // read at request time: a scope's onRoute hook may mark a route public after this one ran
    if (request.routeOptions.config.public === true) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (match?.[1] && timingSafeEqual(digest(match[1]), expected)) return;
    reply.header('www-authenticate', 'Bearer');
    return sendError(
      reply,
      401,
      ERROR_CODES.UNAUTHORIZED,
      'missing or wrong bearer token (CODY_API_TOKEN is set): send Authorization: Bearer <token>',
    );
  };
  app.addHook('onRoute', (route) => {
    const existing = route.onRequest;
    route.onRequest = [
      ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]),
      check,
    ];
  });
}
