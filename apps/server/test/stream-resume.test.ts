// [TC-ST-1/2/3/5] resumable SSE against the real stack: reconnects, several subscribers,
// late subscribers, heartbeats, the end of a stream, unknown runs.
import { createRedisKeys } from '@cody/redis';
import { reduceEvents } from '@cody/reducer';
import type { StreamEvent } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hydrate, type SseMessage, type Stack, startStack } from './harness';
import {
  entryPairs,
  idPairs,
  readSseStream,
  type SseReadOptions,
  streamEntries,
  waitFor,
  waitForTerminalRun,
  withIds,
} from './support-stream-helpers';

const chunks = (marker: string, n: number) => Array.from({ length: n }, (_, i) => `${marker}-${i} `);
const TERMINAL = new Set(['response_done', 'response_error', 'turn_aborted_by_user']);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    sseHeartbeatMs: 60,
    rules: [
      { match: { marker: 'ST1-HEADER' }, reply: replies.text(chunks('h', 60), { delayMs: 15 }) },
      { match: { marker: 'ST1-QUERY' }, reply: replies.text(chunks('q', 60), { delayMs: 15 }) },
      { match: { marker: 'ST1-CHAIN' }, reply: replies.text(chunks('c', 80), { delayMs: 10 }) },
      { match: { marker: 'ST2-MANY' }, reply: replies.text(chunks('m', 60), { delayMs: 15 }) },
      { match: { marker: 'ST3-LATE' }, reply: replies.text(chunks('l', 20), { delayMs: 2 }) },
      { match: { marker: 'ST-END' }, reply: replies.text(chunks('e', 10)) },
      { match: { marker: 'ST-IDLE' }, reply: replies.text(['slow model'], { delayMs: 150 }) },
    ],
  });
});
afterAll(() => stack.close());

/** Reads until `k` entry-carrying messages arrived, then drops the connection. */
const readThenDrop = (runId: string, k: number, resume: Pick<SseReadOptions, 'lastEventId' | 'from'> = {}) =>
  readSseStream(stack.baseUrl, runId, { ...resume, dropAfter: k });

/** Last entry id a client saw (what EventSource sends back as Last-Event-ID). */
const lastId = (messages: SseMessage[]) => withIds(messages).at(-1)?.id;

async function finishedEntries(runId: string) {
  const stored = await waitForTerminalRun(stack, runId);
  expect(stored.status).toBe('complete');
  return streamEntries(stack.redis, stack.prefix, runId);
}

describe('[TC-ST-1] reconnect after a drop', () => {
  it.each([
    ['Last-Event-ID header', 'ST1-HEADER', 'lastEventId'],
    ['?from= query', 'ST1-QUERY', 'from'],
  ] as const)(
    'with %s: exactly the events after the k-th, nothing lost, nothing twice',
    async (_name, marker, how) => {
      const { runId } = await stack.submit({ prompt: `stream ${marker}` });
      // clients dropping at different depths of the live run, all reconnecting while it streams
      const ks = [1, 2, 3, 5, 8, 13, 21, 34];
      const sessions = await Promise.all(
        ks.map(async (k) => {
          const first = await readThenDrop(runId, k);
          const resumeAt = lastId(first) as string;
          const second = await stack.readStream(
            runId,
            how === 'lastEventId' ? { lastEventId: resumeAt } : { from: resumeAt },
          );
          return { k, first, resumeAt, second };
        }),
      );
      const truth = entryPairs(await finishedEntries(runId));
      expect(truth.length).toBeGreaterThan(60);
      for (const { k, first, resumeAt, second } of sessions) {
        const before = idPairs(first);
        expect(before.length, `k=${k}`).toBeGreaterThanOrEqual(k);
        const at = truth.findIndex(([id]) => id === resumeAt);
        // the second connection starts right after the last id seen, and runs to the end
        expect(idPairs(second), `k=${k}`).toEqual(truth.slice(at + 1));
        expect([...before, ...idPairs(second)], `k=${k}`).toEqual(truth);
      }
    },
  );

  it('a client that drops every few events and resumes each time sees the run exactly once', async () => {
    const { runId } = await stack.submit({ prompt: 'stream ST1-CHAIN' });
    const received: SseMessage[] = [];
    let resume: string | undefined;
    for (let round = 0; round < 200; round++) {
      const k = 1 + (round % 7);
      const options =
        resume === undefined ? {} : round % 2 === 0 ? { lastEventId: resume } : { from: resume };
      const messages = await readThenDrop(runId, k, options);
      received.push(...withIds(messages));
      resume = lastId(received);
      const lastEvent = received.at(-1);
      if (lastEvent && TERMINAL.has(lastEvent.event ?? '')) break;
    }
    const truth = entryPairs(await finishedEntries(runId));
    expect(idPairs(received)).toEqual(truth);
    expect(new Set(received.map((m) => m.id)).size).toBe(received.length);
    // what the client rebuilt equals what was persisted
    expect(hydrate(received)).toEqual(await stack.waitForRun(runId));
  });
});

describe('[TC-ST-2] several subscribers', () => {
  it('subscribers joining at different moments all see the same sequence', async () => {
    const { runId } = await stack.submit({ prompt: 'stream ST2-MANY' });
    const readers: Promise<SseMessage[]>[] = [];
    for (let i = 0; i < 6; i++) {
      readers.push(stack.readStream(runId));
      await new Promise((resolve) => setTimeout(resolve, 90));
    }
    const results = await Promise.all(readers);
    const truth = entryPairs(await finishedEntries(runId));
    for (const messages of results) {
      expect(idPairs(messages)).toEqual(truth);
      expect(withIds(messages).map((m) => m.data)).toEqual(
        withIds(results[0] as SseMessage[]).map((m) => m.data),
      );
    }
  });
});

describe('[TC-ST-3] late subscriber', () => {
  it('gets the whole finished run from its stream, and the stream ends after the terminal event', async () => {
    const { runId } = await stack.submit({ prompt: 'stream ST3-LATE' });
    const stored = await waitForTerminalRun(stack, runId);
    const messages = await stack.readStream(runId);
    const entries = await streamEntries(stack.redis, stack.prefix, runId);
    expect(idPairs(messages)).toEqual(entryPairs(entries));
    expect(withIds(messages).at(-1)?.event).toBe('response_done');
    expect(hydrate(messages)).toEqual(stored);
  });

  it('gets the whole run replayed from its snapshot once the stream expired', async () => {
    const { runId } = await stack.submit({ prompt: 'stream ST3-LATE again' });
    const stored = await waitForTerminalRun(stack, runId);
    const live = await stack.readStream(runId);
    // what CODY_RUN_TTL_SECONDS does later, now
    await stack.redis.del(createRedisKeys(stack.prefix).runEvents(runId));
    const replayed = await stack.readStream(runId);
    expect(withIds(replayed).at(-1)?.event).toBe('response_done');
    expect(hydrate(replayed)).toEqual(stored);
    expect(hydrate(replayed)).toEqual(hydrate(live));
    // a resume inside the replay continues it
    const firstPart = withIds(replayed).slice(0, 3);
    const rest = await stack.readStream(runId, { lastEventId: lastId(firstPart) as string });
    expect([...firstPart, ...withIds(rest)].map((m) => m.data)).toEqual(withIds(replayed).map((m) => m.data));
  });
});

describe('end of stream', () => {
  it('a resume at or after the terminal event returns at once with nothing', async () => {
    const { runId } = await stack.submit({ prompt: 'stream ST-END' });
    const all = await stack.readStream(runId);
    const terminal = withIds(all).at(-1) as SseMessage;
    expect(TERMINAL.has(terminal.event ?? '')).toBe(true);
    const [ms, seq] = (terminal.id as string).split('-').map(Number) as [number, number];
    for (const resume of [terminal.id as string, `${ms}-${seq + 1}`, `${ms + 60_000}-0`]) {
      expect(withIds(await stack.readStream(runId, { lastEventId: resume }))).toEqual([]);
      expect(withIds(await stack.readStream(runId, { from: resume }))).toEqual([]);
    }
    // one before the terminal event: just the terminal event
    const beforeLast = withIds(all).at(-2)?.id as string;
    expect(withIds(await stack.readStream(runId, { lastEventId: beforeLast })).map((m) => m.id)).toEqual([
      terminal.id,
    ]);
  });

  it('heartbeats keep an idle stream alive and carry no id', async () => {
    const { runId } = await stack.submit({ prompt: 'stream ST-IDLE' });
    const messages = await stack.readStream(runId);
    const beats = messages.filter((m) => m.event === 'heartbeat');
    // the model pauses 150 ms before each event; heartbeats come every 60 ms in between
    const positions = messages.map((m) => m.event);
    const firstBeat = positions.indexOf('heartbeat');
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(firstBeat).toBeGreaterThan(0);
    expect(withIds(messages.slice(firstBeat)).length).toBeGreaterThan(0);
    for (const beat of beats) {
      expect(beat.id).toBeUndefined();
      const event = JSON.parse(beat.data) as StreamEvent;
      expect(event).toMatchObject({ type: 'heartbeat', run_id: runId, payload: { type: 'heartbeat' } });
    }
    // heartbeats change nothing: the run hydrates to the stored snapshot
    const entries = await finishedEntries(runId);
    expect(idPairs(messages)).toEqual(entryPairs(entries));
    expect(hydrate(messages)).toEqual(reduceEvents(entries.map((e) => e.event)));
  });

  it('the client sees the end: the response ends right after the terminal event', async () => {
    const { runId } = await stack.submit({ prompt: 'stream ST-END two' });
    const messages = await stack.readStream(runId);
    const ids = withIds(messages);
    expect(TERMINAL.has(ids.at(-1)?.event ?? '')).toBe(true);
    expect(ids.filter((m) => TERMINAL.has(m.event ?? ''))).toHaveLength(1);
  });
});

describe('[TC-ST-5] unknown run', () => {
  it.each([
    ['a run id never used', '5b0e8a4e-7f7a-4d0e-9a55-6a8f2f7d0c11'],
    ['a non-uuid id', 'no-such-run'],
  ])('%s: 404 JSON before any stream starts', async (_name, runId) => {
    const variants: Record<string, string>[] = [
      { accept: 'text/event-stream' },
      { accept: 'text/event-stream', 'last-event-id': '1-0' },
    ];
    for (const headers of variants) {
      const res = await fetch(`${stack.baseUrl}/api/v2/stream/${runId}`, { headers });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(await res.json()).toMatchObject({ error: { code: 'RUN_NOT_FOUND' } });
    }
    // nothing was created for it
    expect(await stack.redis.exists(createRedisKeys(stack.prefix).runEvents(runId))).toBe(0);
  });

  it('a malformed Last-Event-ID is a 400 naming it, not a stream', async () => {
    const { runId } = await stack.submit({ prompt: 'stream ST-END three' });
    const res = await fetch(`${stack.baseUrl}/api/v2/stream/${runId}`, {
      headers: { 'last-event-id': 'yesterday' },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/last-event-id/i);
    await waitFor(
      'run end',
      async () =>
        (await stack.api<{ status: string }>('GET', `/api/v2/runs/${runId}`)).json?.status === 'complete',
    );
  });
});
