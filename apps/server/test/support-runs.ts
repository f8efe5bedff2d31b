// Helpers shared by the service-suite files of the happy-path, error, API and telemetry
// conditions: run a turn to its end, read recordings, look at a snapshot's items.
import type { OutputItem, Response, StreamEvent } from '@cody/schema';
import { loadRecording } from '@cody/test-llm';
import { events, hydrate, type SseMessage, type Stack, withoutHeartbeats } from './harness';

export interface FinishedRun {
  runId: string;
  turnId: string;
  threadId: string;
  /** SSE messages without heartbeats, as the client read them. */
  messages: SseMessage[];
  events: StreamEvent[];
  /** What the client hydrated from the SSE messages. */
  hydrated: Response | undefined;
  /** The stored snapshot once it reached a terminal status. */
  stored: Response;
}

/** Submits a turn, reads its SSE to the end and waits for the terminal snapshot. */
export async function runToEnd(stack: Stack, body: Record<string, unknown>): Promise<FinishedRun> {
  const submitted = await stack.submit(body);
  const messages = withoutHeartbeats(await stack.readStream(submitted.runId));
  const stored = await stack.waitForRun(submitted.runId);
  return { ...submitted, messages, events: events(messages), hydrated: hydrate(messages), stored };
}

/** The items of one type in a snapshot. */
export function itemsOf<T extends OutputItem['type']>(
  response: Response,
  type: T,
): Extract<OutputItem, { type: T }>[] {
  return response.output_items.filter((item): item is Extract<OutputItem, { type: T }> => item.type === type);
}

/** The agent's message items (the user's prompt is a message too). */
export const agentMessages = (response: Response) =>
  itemsOf(response, 'message').filter((item) => item.origin === 'agent');

/** The parsed `data:` payloads of a recording's events. */
export function recordingData(name: string): Record<string, unknown>[] {
  return loadRecording(name).map((frame) => {
    const line = frame.raw.split('\n').find((l) => l.startsWith('data:')) ?? 'data: {}';
    return JSON.parse(line.slice('data:'.length)) as Record<string, unknown>;
  });
}

/** Counts the keys under a prefix (a test's own prefix, so SCAN is fine here). */
export async function countKeys(stack: Stack): Promise<number> {
  let cursor = '0';
  let count = 0;
  // every request is counted against its client's rate limit: a counter, not something stored
  const counters = `${stack.prefix}rate-limit:`;
  do {
    const [next, keys] = await stack.redis.scan(cursor, 'MATCH', `${stack.prefix}*`, 'COUNT', 1000);
    cursor = next;
    count += keys.filter((key) => !key.startsWith(counters)).length;
  } while (cursor !== '0');
  return count;
}

/** Every thread on a stack, through the API. */
export async function listAllThreads(stack: Stack): Promise<{ id: string; title: string }[]> {
  const threads: { id: string; title: string }[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
    const reply = await stack.api<{ threads: { id: string; title: string }[]; nextCursor: string | null }>(
      'GET',
      `/api/v2/threads${query}`,
    );
    if (reply.status !== 200) throw new Error(`GET /threads answered ${reply.status}`);
    threads.push(...reply.json.threads);
    cursor = reply.json.nextCursor;
  } while (cursor);
  return threads;
}

/** The items of a snapshot that are not finished (an open item shows as `in_progress` nowhere, so check the events). */
export function openItemIds(runEvents: readonly StreamEvent[]): string[] {
  const open = new Set<string>();
  for (const event of runEvents) {
    const { payload } = event;
    if (payload.type === 'item_start') open.add(payload.item_id);
    else if (
      payload.type === 'item_done' ||
      payload.type === 'item_error' ||
      payload.type === 'item_cancelled'
    ) {
      open.delete(payload.item_id);
    }
  }
  return [...open];
}
