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
                z.object({
                  id: z.string(),
                  configured: z.boolean(),
                  /** The base URL points at the bundled test LLM (`CODY_TEST_LLM_URL`): no real model, no key used. */
                  testLlm: z.boolean(),
                  models: z.array(ModelView),
                }),
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
          testLlm: pointsAt(baseUrlOf(ctx, id), ctx.config.CODY_TEST_LLM_URL),
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

function baseUrlOf(ctx: ServerContext, id: string): string | undefined {
  if (id === 'openai') return ctx.config.OPENAI_BASE_URL;
  if (id === 'anthropic') return ctx.config.ANTHROPIC_BASE_URL;
  return undefined;
}

/** Whether `baseUrl` is on the same origin as `target` (the OpenAI base adds `/v1`). */
function pointsAt(baseUrl: string | undefined, target: string | undefined): boolean {
  if (!baseUrl || !target) return false;
  return new URL(baseUrl).origin === new URL(target).origin;
}
