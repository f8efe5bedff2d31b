import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The policy the built web app runs under: its own scripts, styles and API only. No inline
 * script or style, no framing, no plugins; images only from itself or `data:`, so rendered
 * model output cannot make the browser fetch (and leak to) another site.
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** `@fastify/helmet` on every response: CSP, `nosniff`, `Referrer-Policy`, no framing. */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    // the server speaks plain HTTP; HSTS belongs to the TLS proxy in front of it, if any
    strictTransportSecurity: false,
  });
}
