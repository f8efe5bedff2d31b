import { createHydrator, type HydratorSnapshot } from '@cody/reducer';
import { type StreamEvent, safeParseStreamEvent } from '@cody/schema';
import { createParser } from 'eventsource-parser';
import type { ApiClient } from './api-client';
import { httpError } from './api-client';

export interface FollowHandlers {
  /** Each new event (heartbeats and duplicates left out), with the hydrated state after it. */
  onEvent(event: StreamEvent, snapshot: HydratorSnapshot, id: string | undefined): void;
}

export interface FollowOptions {
  signal?: AbortSignal;
  /** Pause before reconnecting after a dropped stream. */
  retryMs?: number;
  /** Reconnects tried in a row without progress before giving up. */
  maxRetries?: number;
}

/**
 * Reads a run's SSE through the client hydrator (the web app's code path) until the run is
 * terminal. A dropped connection is resumed with Last-Event-ID, so every event is handed over
 * exactly once; the hydrator also drops an event id it has seen.
 */
export async function followRun(
  client: ApiClient,
  runId: string,
  handlers: FollowHandlers,
  options: FollowOptions = {},
): Promise<HydratorSnapshot> {
  const hydrator = createHydrator();
  const seen = new Set<string>();
  let failures = 0;
  while (!hydrator.getSnapshot().done) {
    if (options.signal?.aborted) break;
    const before = hydrator.getSnapshot().lastEventId;
    try {
      await readOnce(client, runId, hydrator.getSnapshot().lastEventId, options.signal, (message) => {
        if (message.event === 'heartbeat') return;
        const parsed = safeParseStreamEvent(safeJson(message.data));
        if (parsed.ok && seen.has(parsed.value.event_id)) return;
        hydrator.push({ id: message.id, event: message.event, data: message.data });
        if (parsed.ok) {
          seen.add(parsed.value.event_id);
          handlers.onEvent(parsed.value, hydrator.getSnapshot(), message.id);
        }
      });
    } catch (error) {
      if (options.signal?.aborted) break;
      // a refusal (404, 401) is final; a dropped connection is retried
      if ((error as { status?: number }).status !== undefined) throw error;
      failures = hydrator.getSnapshot().lastEventId === before ? failures + 1 : 0;
      if (failures > (options.maxRetries ?? 5)) throw error;
    }
    if (!hydrator.getSnapshot().done && !options.signal?.aborted) {
      await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 250));
    }
  }
  return hydrator.getSnapshot();
}

interface Message {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

async function readOnce(
  client: ApiClient,
  runId: string,
  lastEventId: string | undefined,
  signal: AbortSignal | undefined,
  onMessage: (message: Message) => void,
): Promise<void> {
  const res = await client.fetch(`/api/v2/stream/${encodeURIComponent(runId)}`, {
    headers: client.headers({
      accept: 'text/event-stream',
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    }),
    ...(signal ? { signal } : {}),
  });
  if (res.status !== 200)
    throw Object.assign(httpError(res.status, await res.text()), { status: res.status });
  const parser = createParser({
    onEvent: (event) => onMessage({ id: event.id, event: event.event, data: event.data }),
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    parser.feed(decoder.decode(chunk, { stream: true }));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
