import { PROVIDER_IDS } from '@cody/adapters';
import { McpServerStateSchema } from '@cody/schema';
import { readMcpCatalogue } from '@cody/workers';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../server-context';

const ModelView = z.object({
  id: z.string(),
  reasoning: z.boolean(),
  tools: z.boolean(),
  maxOutputTokens: z.number(),
});

const McpServerView = z.object({
  name: z.string(),
  transport: z.enum(['stdio', 'http']),
  state: McpServerStateSchema,
  error: z.string().optional(),
  tools: z.array(z.object({ name: z.string(), tool: z.string(), readOnly: z.boolean() })),
});

/** What a client needs to offer choices: providers, whether each has credentials, their models. */
export function configRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/config',
      {
        schema: {
          tags: ['config'],
          summary: 'Providers, their models, the defaults, and the MCP servers with their tools',
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
              mcpServers: z.array(McpServerView),
            }),
          },
        },
      },
      async () => ({
        // as the tool workers published them: state, and the names the model calls
        mcpServers: (await readMcpCatalogue(ctx.transport)).map((server) => ({
          name: server.name,
          transport: server.transport,
          state: server.state,
          ...(server.error ? { error: server.error } : {}),
          tools: server.tools.map(({ name, tool, readOnly }) => ({ name, tool, readOnly })),
        })),
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
