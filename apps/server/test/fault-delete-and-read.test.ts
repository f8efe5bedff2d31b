// Faults: a thread deleted while its run streams, and reads racing the terminal event.
// - Delete means gone: the run is cancelled (the model call stops), its open SSE stream ends
//   with the terminal event, `/stream/:runId` and `GET /runs/:id` answer 404 after, and the
//   run's Redis keys (events, lease, cancel flag, calls) are deleted, not left to expire.
// - Read your writes: right after a client saw a run's terminal SSE event, GET /runs/:id
//   answers its terminal status, for each of 100 runs.
import { createRedisKeys } from '@cody/redis';
import type { Response } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, isTerminal, type SseMessage, type Stack, startStack } from './harness';
import { readSseStream, waitFor } from './support-stream-helpers';

const LONG = Array.from({ length: 400 }, (_, i) => `w${i} `);
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    rules: [
      { match: { marker: 'DELETE-MID-RUN' }, reply: replies.text(LONG, { delayMs: 20 }) },
      { match: { marker: 'READ-AFTER' }, reply: replies.text(['quick ', 'answer']) },
    ],
  });
});
afterAll(() => stack.close());

const TERMINAL = new Set(['response_done', 'response_error', 'turn_aborted_by_user']);

describe('deleting a thread mid-run', () => {
  it('cancels the run, ends its SSE stream with the terminal event, 404s after, deletes its keys', async () => {
    const { runId, threadId } = await stack.submit({ prompt: 'write at length DELETE-MID-RUN' });
    const seen: SseMessage[] = [];
    const reading = readSseStream(stack.baseUrl, runId, { onMessage: (m) => seen.push(m) });
    await waitFor('the answer to stream', () =>
      events(seen).some((e) => e.payload.type === 'item_delta' && e.payload.delta_content === 'w3 '),
    );

    const deleted = await stack.api('DELETE', `/api/v2/threads/${threadId}`);
    expect(deleted.status, JSON.stringify(deleted.json)).toBe(204);

    // the open stream ended, on the terminal event
    const messages = await reading;
    const last = events(messages).at(-1);
    expect(TERMINAL.has(last?.type ?? '')).toBe(true);
    expect(last?.type).toBe('turn_aborted_by_user');
    // the model call was stopped, not streamed to its end
    const [request] = stack.llm.findRequests({ marker: 'DELETE-MID-RUN' });
    expect(await request?.outcome).toBe('client_closed');

    // gone: stream, snapshot, thread
    expect((await stack.api('GET', `/api/v2/stream/${runId}`)).status).toBe(404);
    expect((await stack.api('GET', `/api/v2/runs/${runId}`)).status).toBe(404);
    expect((await stack.api('GET', `/api/v2/threads/${threadId}`)).status).toBe(404);
    const keys = createRedisKeys(stack.prefix);
    for (const key of [
      keys.runEvents(runId),
      keys.runLease(runId),
      keys.runCancel(runId),
      keys.runCalls(runId),
    ])
      expect(await stack.redis.exists(key), key).toBe(0);
    // and it stays gone: nothing (a watchdog, a late worker) recreates it
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await stack.redis.exists(keys.runEvents(runId))).toBe(0);
    expect((await stack.api('GET', `/api/v2/stream/${runId}`)).status).toBe(404);
  });

  it('deleting a thread whose runs finished deletes their streams too', async () => {
    const { runId, threadId } = await stack.submit({ prompt: 'READ-AFTER once' });
    await readSseStream(stack.baseUrl, runId);
    await stack.waitForRun(runId, (r) => isTerminal(r.status));
    expect((await stack.api('DELETE', `/api/v2/threads/${threadId}`)).status).toBe(204);
    expect(await stack.redis.exists(createRedisKeys(stack.prefix).runEvents(runId))).toBe(0);
    expect((await stack.api('GET', `/api/v2/stream/${runId}`)).status).toBe(404);
    expect((await stack.api('GET', `/api/v2/runs/${runId}`)).status).toBe(404);
  });
});

describe('read your writes', () => {
  it('100 runs: GET /runs/:id right after the terminal SSE event is terminal', async () => {
    const statuses: Response['status'][] = [];
    const check = async (i: number) => {
      const { runId } = await stack.submit({ prompt: `READ-AFTER ${i}` });
      let sawTerminal: Promise<Response['status']> | undefined;
      await readSseStream(stack.baseUrl, runId, {
        onMessage: (message) => {
          // the GET goes out the moment the terminal event arrives, before the stream even closes
          if (sawTerminal === undefined && TERMINAL.has(message.event ?? ''))
            sawTerminal = stack
              .api<Response>('GET', `/api/v2/runs/${runId}`)
              .then((reply) => reply.json.status);
        },
      });
      statuses.push(await (sawTerminal as Promise<Response['status']>));
    };
    // ten clients at a time, so the persistence worker is busy when the GETs arrive
    for (let batch = 0; batch < 10; batch++)
      await Promise.all(Array.from({ length: 10 }, (_, i) => check(batch * 10 + i)));
    expect(statuses).toHaveLength(100);
    expect(statuses.filter((status) => status !== 'complete')).toEqual([]);
  });
});
