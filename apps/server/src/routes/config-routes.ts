import { PROVIDER_IDS } from '@cody/adapters';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../server-context';

const ModelView = z.object({
  id: z.string(),
  reasoning: z.boolean(),
  tools: z.boolean(),
  maxOutputTokens: z.number(),
});

/** What a client needs to offer choices: providers, whether each has credentials, their models. */
export function configRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/config',
      {
        schema: {
          tags: ['config'],
          summary: 'Providers, their models, and the defaults',
          response: {
            200: z.object({
              providers: z.array(
                z.object({ id: z.string(), configured: z.boolean(), models: z.array(ModelView) }),
              ),
              defaultProvider: z.string(),
              defaultModel: z.string(),
            }),
          },
        },
      },
      async () => ({
        providers: PROVIDER_IDS.map((id) => ({
          id,
          configured: ctx.isConfigured(id),
          models: ctx.catalogue.list(id).map((m) => ({
            id: m.id,
            reasoning: m.reasoning,
            tools: m.tools,
            maxOutputTokens: m.maxOutputTokens,
          })),
        })),
        defaultProvider: ctx.config.CODY_PROVIDER,
        defaultModel: ctx.config.CODY_MODEL,
      }),
    );
  };
}
