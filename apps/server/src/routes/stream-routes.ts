import {
  compareStreamIds,
  createStreamEvent,
  decodeStreamEntries,
  type RawStreamEntry,
  type StreamEntry,
} from '@cody/redis';
import { replayEvents } from '@cody/reducer';
import { CodyError } from '@cody/schema';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isTerminalEvent } from '../http/is-terminal-event';
import { replayEventId } from '../http/replay-event-id';
import { SseWriter } from '../http/sse-writer';
import type { ServerContext } from '../server-context';

const StreamId = z.string().regex(/^\d+(-\d+)?$/, 'must be a stream entry id like 1700000000000-0');

/**
 * SSE of one run: `id:` is the Redis entry id, `event:` the payload type, `data:` the event
 * JSON. Resumes after `Last-Event-ID` (or `?from=`), sends heartbeats while idle, ends after
 * the terminal event; a finished run whose stream expired is replayed from its snapshot.
 */
export function streamRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/stream/:runId',
      {
        schema: {
          tags: ['runs'],
          summary: 'Follow a run as Server-Sent Events (resumable)',
          params: z.object({ runId: z.string().min(1).max(200) }),
          querystring: z.object({ from: StreamId.optional() }),
          headers: z.object({ 'last-event-id': StreamId.optional() }).passthrough(),
        },
      },
      async (request, reply) => {
        const { runId } = request.params;
        const from = normalise(request.headers['last-event-id'] ?? request.query.from ?? '0-0');
        // a deleted run is gone, also while its stream is being drained
        if (await ctx.transport.isRunDeleted(runId))
          throw new CodyError('RUN_NOT_FOUND', `run ${runId} not found`);
        const live = (await ctx.transport.redis.exists(ctx.transport.keys.runEvents(runId))) === 1;
        const stored = live ? null : await ctx.store.getRun(runId);
        if (!live && !stored) throw new CodyError('RUN_NOT_FOUND', `run ${runId} not found`);

        reply.hijack();
        reply.raw.writeHead(200, {
          ...(reply.getHeaders() as Record<string, string>),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        const sse = new SseWriter(reply.raw);
        const abort = new AbortController();
        reply.raw.on('close', () => abort.abort());
        const heartbeat = setInterval(() => {
          const event = createStreamEvent(runId, { type: 'heartbeat' });
          void sse.message({ event: 'heartbeat', data: JSON.stringify(event) });
        }, ctx.config.sseHeartbeatMs);
        heartbeat.unref();

        try {
          if (stored) {
            await replayStored(sse, stored.response, from);
          } else {
            await streamLive(ctx, sse, runId, from, abort.signal);
          }
        } catch (error) {
          if (!abort.signal.aborted) request.log.warn({ err: error, run_id: runId }, 'sse stream failed');
        } finally {
          clearInterval(heartbeat);
          abort.abort();
          sse.end();
        }
      },
    );
  };
}

async function streamLive(
  ctx: ServerContext,
  sse: SseWriter,
  runId: string,
  from: string,
  signal: AbortSignal,
) {
  // a resume at or after the terminal event gets nothing more, and must not wait for it
  const tail = await lastEntry(ctx, runId);
  if (tail && isTerminalEvent(tail.event) && compareStreamIds(tail.id, from) <= 0) return;
  for await (const entry of ctx.transport.tail(runId, from, signal)) {
    await send(sse, entry);
    if (isTerminalEvent(entry.event)) return;
  }
}

async function lastEntry(ctx: ServerContext, runId: string): Promise<StreamEntry | undefined> {
  const raw = (await ctx.transport.redis.xrevrange(
    ctx.transport.keys.runEvents(runId),
    '+',
    '-',
    'COUNT',
    1,
  )) as RawStreamEntry[];
  return decodeStreamEntries(raw)[0];
}

function send(sse: SseWriter, entry: StreamEntry): Promise<void> {
  const type = typeof entry.event === 'object' && entry.event !== null ? entry.event.type : 'invalid';
  const data = typeof entry.event === 'string' ? entry.event : JSON.stringify(entry.event);
  return sse.message({ id: entry.id, event: type, data });
}

async function replayStored(sse: SseWriter, response: Parameters<typeof replayEvents>[0], from: string) {
  // replayed entries get ids 0-1, 0-2, … so a client can resume inside a replay too; a client
  // resuming with an id of the expired live stream gets the whole replay, which its reducer
  // merges (repeated starts and closed items are ignored, finished items are replaced whole)
  // ids derived from the run and the position: a replay read twice carries the same events
  let minted = 0;
  const events = replayEvents(response, { newEventId: () => replayEventId(response.id, minted++) });
  const insideReplay = from.startsWith('0-');
  for (const [index, event] of events.entries()) {
    const id = `0-${index + 1}`;
    if (insideReplay && compareStreamIds(id, from) <= 0) continue;
    await sse.message({ id, event: event.type, data: JSON.stringify(event) });
  }
}

function normalise(id: string): string {
  return id.includes('-') ? id : `${id}-0`;
}
