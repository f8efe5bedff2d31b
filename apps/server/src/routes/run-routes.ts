import { randomUUID } from 'node:crypto';
import { compareStreamIds } from '@cody/redis';
import { reduceEventsToState } from '@cody/reducer';
import {
  ApprovalDecisionBodySchema,
  ApprovalModeSchema,
  CodyError,
  isTerminalStatus,
  ResponseSchema,
} from '@cody/schema';
import { DEFAULT_THREAD_TITLE } from '@cody/store';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { selectHistory } from '../history/select-history';
import { isTerminalEvent } from '../http/is-terminal-event';
import type { ServerContext } from '../server-context';
import { decideApproval } from './decide-approval';

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
    /**
     * Retry, regenerate or edit: the finished run this one replaces. It must be a run of
     * `threadId` (or `threadId` is taken from it); the new run gets its turn id unless `turnId`
     * is given, and the replaced run is left out of the history sent to the provider.
     */
    replacesRunId: z.uuid().optional(),
    /**
     * When the person is asked before a tool call runs: `auto` never, `ask-mutating` for commands,
     * edits, scripts and tools not known to be read-only, `ask-all` always. Default: CODY_TOOL_APPROVAL.
     */
    approval: ApprovalModeSchema.optional(),
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
        // every submit spends provider tokens: its own, tighter rate limit
        config: { limit: 'submit' },
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

      const replaced = body.replacesRunId
        ? await replaceableRun(ctx, body.replacesRunId, body.threadId)
        : null;
      const threadId = body.threadId ?? replaced?.thread_id;
      const existing = threadId ? await ctx.store.getThread(threadId) : null;
      if (threadId && !existing) throw new CodyError('THREAD_NOT_FOUND', `thread ${threadId} not found`);
      const thread =
        existing ??
        (await ctx.store.createThread({
          title: titleFrom(body.prompt),
          ...(body.agentId ? { agent_id: body.agentId } : {}),
        }));

      const runId = body.runId ?? randomUUID();
      const turnId = body.turnId ?? replaced?.turn_id ?? randomUUID();
      request.log = request.log.child({ run_id: runId });
      trace.getActiveSpan()?.setAttributes({ 'cody.run_id': runId, 'cody.thread_id': thread.id });
      try {
        const runs = (await ctx.store.listRunsByThread(thread.id)).map((run) => run.response);
        if (replaced && runs.some((run) => run.replaces_run_id === replaced.id)) {
          throw new CodyError('RUN_ALREADY_REPLACED', `run ${replaced.id} was already replaced`);
        }
        await ctx.driver.start({
          runId,
          turnId,
          threadId: thread.id,
          ...(body.agentId ? { agentId: body.agentId } : {}),
          provider,
          model,
          prompt: body.prompt,
          history: selectHistory(runs, replaced?.id),
          ...(body.reasoning ? { reasoning: { effort: body.reasoning } } : {}),
          ...(replaced ? { replacesRunId: replaced.id } : {}),
          ...(body.approval ? { approval: body.approval } : {}),
        });
        // a thread made empty ("New thread") is named after its first prompt
        if (existing && runs.length === 0 && existing.title === DEFAULT_THREAD_TITLE) {
          await ctx.store.updateThread(thread.id, { title: titleFrom(body.prompt) });
        }
      } catch (error) {
        // a refused submit leaves nothing behind: not the thread it created either
        if (!existing) await ctx.store.deleteThread(thread.id).catch(() => false);
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

    app.post(
      '/runs/:id/approvals/:callId',
      {
        schema: {
          tags: ['runs'],
          summary: 'Approve or deny a tool call that waits for approval, from any server process',
          description:
            'A run submitted with `approval: ask-mutating | ask-all` stops before such a call runs ' +
            '(`approval_requested` on its stream). `approve`: the tool runs; `deny`: the model gets a failed ' +
            'output carrying `reason` and continues. Decided atomically: the second decision gets 409 ' +
            'APPROVAL_ALREADY_DECIDED (also after the timeout or a cancel decided it); an unknown run 404 ' +
            'RUN_NOT_FOUND, a call that never waited for approval 404 APPROVAL_NOT_FOUND.',
          params: z.object({ id: z.string().min(1).max(200), callId: z.string().min(1).max(200) }),
          body: ApprovalDecisionBodySchema,
          response: {
            200: z.object({
              runId: z.string(),
              callId: z.string(),
              status: z.enum(['approved', 'denied']),
            }),
          },
        },
      },
      async (request) => {
        const { id, callId } = request.params;
        const status = await decideApproval(ctx, id, callId, request.body);
        request.log.info({ run_id: id, call_id: callId, decision: status }, 'tool call approval decided');
        return { runId: id, callId, status };
      },
    );
  };
}

/** Whether a run has a live stream or a stored snapshot. */
async function runExists(ctx: ServerContext, runId: string): Promise<boolean> {
  return (await ctx.transport.hasRunStream(runId)) || (await ctx.store.getRun(runId)) !== null;
}

/**
 * The run `replacesRunId` names, checked: it exists (404), belongs to `threadId` when one is
 * given (400) and has finished (409), since only a finished run can be retried or regenerated.
 */
async function replaceableRun(ctx: ServerContext, runId: string, threadId: string | undefined) {
  const stored = (await ctx.store.getRun(runId))?.response;
  const run =
    stored ??
    reduceEventsToState((await ctx.transport.readRange(runId)).map((entry) => entry.event))?.response;
  if (!run) throw new CodyError('RUN_NOT_FOUND', `run ${runId} (replacesRunId) not found`);
  if (threadId && run.thread_id !== threadId) {
    throw new CodyError('RUN_THREAD_MISMATCH', `run ${runId} (replacesRunId) belongs to another thread`, {
      details: { field: 'replacesRunId' },
    });
  }
  if (!isTerminalStatus(run.status)) {
    throw new CodyError('RUN_STILL_ACTIVE', `run ${runId} (replacesRunId) has not finished; stop it first`);
  }
  return run;
}

function titleFrom(prompt: string): string {
  const line = prompt.trim().split('\n')[0]?.trim() ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || 'New thread';
}
