import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** When a token is configured, every `/api` route requires `Authorization: Bearer <token>`. */
export function installBearerAuth(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  const expected = Buffer.from(token);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    const header = request.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return;
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({
        error: { code: 'UNAUTHORIZED', message: 'missing or wrong bearer token (CODY_API_TOKEN is set)' },
      });
  });
}
