import { ERROR_CODES } from '@cody/schema';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hostNameOf } from './host-allowlist';
import { sendError } from './send-error';

/** Longest request target read; longer ones get 414 (Node refuses headers past 16 KiB with 431). */
export const MAX_URL_LENGTH = 8192;

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RequestGuardOptions {
  /** Whether a host name (from `Host`, without port) is one this server serves. */
  isAllowedHost(name: string): boolean;
  /** Origins besides the server's own that may call it (`CODY_CORS_ORIGINS`). */
  corsOrigins: readonly string[];
}

/**
 * The checks every request passes before routing matters: target length, `Host` (defeats DNS
 * rebinding) and, for state-changing and preflight requests, `Origin` (defeats cross-site
 * requests, which CORS alone does not stop: a simple POST is sent before any CORS check).
 */
export function installRequestGuards(app: FastifyInstance, options: RequestGuardOptions): void {
  const listed = new Set(options.corsOrigins.map((origin) => origin.replace(/\/$/, '')));
  app.addHook('onRequest', async (request, reply) => {
    if (request.raw.url && request.raw.url.length > MAX_URL_LENGTH) {
      return sendError(
        reply,
        414,
        ERROR_CODES.URI_TOO_LONG,
        `request target longer than ${MAX_URL_LENGTH} bytes`,
      );
    }
    const hostHeader = request.headers.host;
    const name = hostNameOf(hostHeader);
    if (name === undefined) {
      return sendError(reply, 400, ERROR_CODES.BAD_REQUEST, 'missing or malformed Host header');
    }
    if (!options.isAllowedHost(name)) {
      return sendError(
        reply,
        403,
        ERROR_CODES.HOST_NOT_ALLOWED,
        'this server does not serve that host name; list it in CODY_ALLOWED_HOSTS to allow it',
      );
    }
    if (isPreflight(request) || STATE_CHANGING.has(request.method)) {
      if (!originAllowed(request, hostHeader as string, listed)) {
        return sendError(
          reply,
          403,
          ERROR_CODES.ORIGIN_NOT_ALLOWED,
          'cross-origin request refused; list the origin in CODY_CORS_ORIGINS to allow it',
        );
      }
    }
  });
}

function isPreflight(request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
}

/** Same origin as the `Host` asked for, or listed; no `Origin` at all means no browser sent it. */
function originAllowed(request: FastifyRequest, hostHeader: string, listed: ReadonlySet<string>): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) {
    // browsers send Origin on every cross-origin POST; Sec-Fetch-Site backs that up
    return request.headers['sec-fetch-site'] !== 'cross-site';
  }
  if (listed.has(origin)) return true;
  if (!URL.canParse(origin)) return false; // includes the opaque "null" origin
  const given = new URL(origin);
  if (given.protocol !== 'http:' && given.protocol !== 'https:') return false;
  // the scheme is the one the browser used (TLS may end at a proxy in front of us)
  const own = new URL(`${given.protocol}//${hostHeader}`);
  return own.origin === given.origin;
}
