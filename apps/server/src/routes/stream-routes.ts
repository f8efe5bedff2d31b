import { compareStreamIds, createStreamEvent } from '@cody/redis';
import { replayEvents } from '@cody/reducer';
import { CodyError } from '@cody/schema';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isTerminalEvent } from '../http/is-terminal-event';
import { followLiveStream } from '../http/live-sse-stream';
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
        // the slot first: a refused viewer costs no Redis round trip
        let release: () => void;
        try {
          release = ctx.sseCapacity.acquire(runId);
        } catch (error) {
          void reply.header('retry-after', '1');
          throw error;
        }
        let stored: Awaited<ReturnType<typeof ctx.store.getRun>> = null;
        try {
          // a deleted run is gone, also while its stream is being drained
          if (await ctx.transport.isRunDeleted(runId))
            throw new CodyError('RUN_NOT_FOUND', `run ${runId} not found`);
          const live = await ctx.transport.hasRunStream(runId);
          stored = live ? null : await ctx.store.getRun(runId);
          if (!live && !stored) throw new CodyError('RUN_NOT_FOUND', `run ${runId} not found`);
        } catch (error) {
          release();
          throw error;
        }

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
          release();
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
): Promise<void> {
  // a resume at or after the terminal event gets nothing more, and must not wait for it
  const tail = await ctx.transport.lastEntry(runId);
  if (tail && isTerminalEvent(tail.event) && compareStreamIds(tail.id, from) <= 0) return;
  if (signal.aborted) return;
  const { CODY_SSE_COALESCE_MS: coalesceMs } = ctx.config;
  await followLiveStream({
    transport: ctx.transport,
    sse,
    runId,
    from,
    signal,
    coalesceMs: () => (ctx.sseCapacity.viewers(runId) > CROWDED_RUN_VIEWERS ? coalesceMs : 0),
  });
}

/** Past this many viewers in this process a run's frames are coalesced (CODY_SSE_COALESCE_MS). */
const CROWDED_RUN_VIEWERS = 16;

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
