import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../server-context';

const Check = z.object({ status: z.enum(['up', 'down']), error: z.string().optional() });

async function check(probe: () => Promise<unknown>, timeoutMs: number): Promise<z.infer<typeof Check>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** 200 when Redis and the store answer, 503 when either does not. */
export function healthRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health',
      {
        // probes need it without the token; it tells only whether Redis and the store answer
        config: { public: true },
        schema: {
          tags: ['health'],
          summary: 'Redis and store status',
          response: {
            200: z.object({
              status: z.enum(['ok', 'degraded']),
              redis: Check,
              store: Check.extend({ kind: z.string() }),
            }),
            503: z.object({
              status: z.enum(['ok', 'degraded']),
              redis: Check,
              store: Check.extend({ kind: z.string() }),
            }),
          },
        },
      },
      async (_request, reply) => {
        const [redis, store] = await Promise.all([
          check(() => ctx.transport.ping(), 2000),
          check(() => ctx.store.ping(), 2000),
        ]);
        const ok = redis.status === 'up' && store.status === 'up';
        return reply
          .code(ok ? 200 : 503)
          .send({ status: ok ? 'ok' : 'degraded', redis, store: { ...store, kind: ctx.store.kind } });
      },
    );
  };
}
