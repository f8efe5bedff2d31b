import { randomUUID } from 'node:crypto';
import { compareStreamIds } from '@cody/redis';
import { reduceEventsToState } from '@cody/reducer';
import type { OutputItem } from '@cody/schema';
import { CodyError, isTerminalStatus, ResponseSchema } from '@cody/schema';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isTerminalEvent } from '../http/is-terminal-event';
import type { ServerContext } from '../server-context';

const SubmitBody = z
  .object({
    prompt: z.string().trim().min(1, 'must not be empty').max(200_000),
    providerId: z.string().min(1).max(100).optional(),
    model: z.string().min(1).max(200).optional(),
    threadId: z.uuid().optional(),
    turnId: z.uuid().optional(),
    runId: z.uuid().optional(),
    agentId: z.string().min(1).max(200).optional(),
    reasoning: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
  })
  .strict();

const SubmitReply = z.object({
  runId: z.string(),
  turnId: z.string(),
  threadId: z.string(),
  streamUrl: z.string(),
});
const tracer = trace.getTracer('@cody/server');
const RunParams = z.object({ id: z.string().min(1).max(200) });

/** Submit a turn, read a run's snapshot, cancel a run. */
export function runRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/submit',
      {
        schema: {
          tags: ['runs'],
          summary: 'Start a turn; returns where to stream it',
          body: SubmitBody,
          response: { 202: SubmitReply },
        },
      },
      (request, reply) =>
        tracer.startActiveSpan('POST /api/v2/submit', { kind: SpanKind.SERVER }, async (span) => {
          try {
            return await submit(request.body, request, reply);
          } catch (error) {
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw error;
          } finally {
            span.end();
          }
        }),
    );

    async function submit(body: z.infer<typeof SubmitBody>, request: FastifyRequest, reply: FastifyReply) {
      const providerId = body.providerId ?? ctx.config.CODY_PROVIDER;
      const modelId =
        body.model ??
        (providerId === ctx.config.CODY_PROVIDER
          ? ctx.config.CODY_MODEL
          : (ctx.catalogue.list(providerId)[0]?.id ?? ctx.config.CODY_MODEL));
      // all client mistakes are found before anything is written
      const model = ctx.catalogue.resolve(providerId, modelId);
      const provider = ctx.provider(providerId);

      // a run id is never reused, also not once its stream expired and only the snapshot is left
      if (body.runId && (await runExists(ctx, body.runId))) {
        throw new CodyError('RUN_ALREADY_EXISTS', `run ${body.runId} already exists`);
      }

      const thread = body.threadId
        ? await ctx.store.getThread(body.threadId)
        : await ctx.store.createThread({
            title: titleFrom(body.prompt),
            ...(body.agentId ? { agent_id: body.agentId } : {}),
          });
      if (!thread) throw new CodyError('THREAD_NOT_FOUND', `thread ${body.threadId} not found`);

      const runId = body.runId ?? randomUUID();
      const turnId = body.turnId ?? randomUUID();
      request.log = request.log.child({ run_id: runId });
      trace.getActiveSpan()?.setAttributes({ 'cody.run_id': runId, 'cody.thread_id': thread.id });
      try {
        const history = await threadHistory(ctx, thread.id);
        await ctx.driver.start({
          runId,
          turnId,
          threadId: thread.id,
          ...(body.agentId ? { agentId: body.agentId } : {}),
          provider,
          model,
          prompt: body.prompt,
          history,
          ...(body.reasoning ? { reasoning: { effort: body.reasoning } } : {}),
        });
      } catch (error) {
        // a refused submit leaves nothing behind: not the thread it created either
        if (!body.threadId) await ctx.store.deleteThread(thread.id).catch(() => false);
        throw error;
      }
      request.log.info({ provider: providerId, model: model.id }, 'run submitted');
      return reply
        .code(202)
        .send({ runId, turnId, threadId: thread.id, streamUrl: `/api/v2/stream/${runId}` });
    }

    app.get(
      '/runs/:id',
      {
        schema: {
          tags: ['runs'],
          summary: 'The stored snapshot of a run',
          params: RunParams,
          response: { 200: ResponseSchema },
        },
      },
      async (request) => {
        const stored = await ctx.store.getRun(request.params.id);
        if (stored && isTerminalStatus(stored.response.status)) return stored.response;
        if (stored) {
          // read your writes: the terminal snapshot is written just after the terminal event,
          // so a client that saw the event may get here first; the stream's last entry says so
          // and the stream's reduction answers (only in that moment: other reads stay cheap)
          const last = await ctx.transport.lastEntry(request.params.id);
          const ended =
            last !== undefined &&
            isTerminalEvent(last.event) &&
            (stored.lastStreamId === null || compareStreamIds(last.id, stored.lastStreamId) > 0);
          if (!ended) return stored.response;
          const fresh = reduceEventsToState(
            (await ctx.transport.readRange(request.params.id)).map((entry) => entry.event),
          );
          return fresh?.response ?? stored.response;
        }
        // accepted but not stored yet (the first snapshot write is still coming): reduce its stream
        const live = reduceEventsToState(
          (await ctx.transport.readRange(request.params.id)).map((entry) => entry.event),
        );
        // (a run whose thread was deleted is gone, even while its stream waits to expire)
        if (live?.response && (await ctx.store.getThread(live.response.thread_id))) return live.response;
        throw new CodyError('RUN_NOT_FOUND', `run ${request.params.id} not found`);
      },
    );

    app.post(
      '/runs/:id/cancel',
      {
        schema: {
          tags: ['runs'],
          summary: 'Stop a run from any server process',
          params: RunParams,
          response: {
            202: z.object({ runId: z.string(), outcome: z.enum(['signalled', 'closed', 'not_active']) }),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        if (!(await runExists(ctx, id))) throw new CodyError('RUN_NOT_FOUND', `run ${id} not found`);
        const outcome = await ctx.driver.cancel(id);
        return reply.code(202).send({ runId: id, outcome });
      },
    );
  };
}

/** Whether a run has a live stream or a stored snapshot. */
async function runExists(ctx: ServerContext, runId: string): Promise<boolean> {
  return (
    (await ctx.transport.redis.exists(ctx.transport.keys.runEvents(runId))) === 1 ||
    (await ctx.store.getRun(runId)) !== null
  );
}

/** A thread's finished runs as the conversation the next turn continues. */
async function threadHistory(ctx: ServerContext, threadId: string): Promise<OutputItem[]> {
  const runs = await ctx.store.listRunsByThread(threadId);
  return runs
    .filter((run) => run.response.status !== 'in_progress' && run.response.status !== 'queued')
    .flatMap((run) => run.response.output_items);
}

function titleFrom(prompt: string): string {
  const line = prompt.split('\n')[0]?.trim() ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || 'New thread';
}
