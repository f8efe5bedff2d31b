import { CodyError, ResponseSchema, ThreadSchema } from '@cody/schema';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../server-context';

const ThreadParams = z.object({ id: z.string().min(1).max(200) });
const ThreadWithRuns = z.object({ thread: ThreadSchema, runs: z.array(ResponseSchema) });
const threadNotFound = (id: string) => new CodyError('THREAD_NOT_FOUND', `thread ${id} not found`);

/** Thread CRUD: list (paginated), create, get with its runs in order, rename, delete with its runs. */
export function threadRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/threads',
      {
        schema: {
          tags: ['threads'],
          summary: 'List threads, most recently updated first',
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(100).optional(),
            cursor: z.string().min(1).optional(),
          }),
          response: { 200: z.object({ threads: z.array(ThreadSchema), nextCursor: z.string().nullable() }) },
        },
      },
      async (request) =>
        ctx.store.listThreads({ limit: request.query.limit, cursor: request.query.cursor ?? null }),
    );

    app.post(
      '/threads',
      {
        schema: {
          tags: ['threads'],
          summary: 'Create a thread',
          body: z
            .object({ title: z.string().min(1).max(500).optional() })
            .strict()
            .optional(),
          response: { 201: ThreadSchema },
        },
      },
      async (request, reply) => {
        const thread = await ctx.store.createThread({
          ...(request.body?.title ? { title: request.body.title } : {}),
        });
        return reply.code(201).send(thread);
      },
    );

    app.get(
      '/threads/:id',
      {
        schema: {
          tags: ['threads'],
          summary: 'A thread with its runs in order',
          params: ThreadParams,
          response: { 200: ThreadWithRuns },
        },
      },
      async (request) => {
        const thread = await ctx.store.getThread(request.params.id);
        if (!thread) throw threadNotFound(request.params.id);
        const runs = await ctx.store.listRunsByThread(thread.id);
        return { thread, runs: runs.map((run) => run.response) };
      },
    );

    app.patch(
      '/threads/:id',
      {
        schema: {
          tags: ['threads'],
          summary: 'Rename a thread',
          params: ThreadParams,
          body: z.object({ title: z.string().trim().min(1).max(500) }).strict(),
          response: { 200: ThreadSchema },
        },
      },
      async (request) => {
        const thread = await ctx.store.updateThread(request.params.id, { title: request.body.title });
        if (!thread) throw threadNotFound(request.params.id);
        return thread;
      },
    );

    app.delete(
      '/threads/:id',
      {
        schema: {
          tags: ['threads'],
          summary: 'Delete a thread and its runs: live runs are stopped, their streams deleted',
          params: ThreadParams,
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        if (!(await ctx.store.getThread(id))) throw threadNotFound(id);
        // its runs: the stored ones and those started but not stored yet
        const stored = await ctx.store.listRunsByThread(id);
        const runIds = new Set([
          ...stored.map((run) => run.response.id),
          ...(await ctx.transport.threadRunIds(id)),
        ]);
        const deleted = await ctx.store.deleteThread(id);
        if (!deleted) throw threadNotFound(id);
        // delete means gone: live runs are cancelled (their SSE streams end with the terminal
        // event), then every run's Redis keys are deleted instead of left to expire
        await Promise.all(
          [...runIds].map((runId) =>
            ctx.driver.discard(runId, { markerTtlSeconds: ctx.config.CODY_RUN_TTL_SECONDS }),
          ),
        );
        await ctx.transport.forgetThreadRuns(id);
        return reply.code(204).send();
      },
    );
  };
}
