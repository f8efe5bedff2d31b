import { createHydrator } from '@cody/reducer';
import type { MessageItem } from '@cody/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { scriptedRun } from '../../test/support/run-events';
import {
  type ConnectionPlan,
  entryId,
  type SseTestServer,
  startSseTestServer,
} from '../../test/support/sse-test-server';
import { openRunStream, type RunStreamOptions } from './run-stream';

let server: SseTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const FAST = { initialDelayMs: 5, maxDelayMs: 50 } satisfies Partial<RunStreamOptions>;

const chunksOf = (count: number, make: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => make(i));

function agentText(hydrator: ReturnType<typeof createHydrator>, messageId: string): string | undefined {
  const item = hydrator.getSnapshot().response?.output_items.find((i) => i.id === messageId) as
    | MessageItem
    | undefined;
  return item?.content;
}

/** A hydrator that tells when the client has taken an event (the server drops only after that). */
function trackedHydrator() {
  const hydrator = createHydrator();
  const taken = new Set<string>();
  const waiting = new Map<string, () => void>();
  const push = hydrator.push.bind(hydrator);
  hydrator.push = (message) => {
    push(message);
    if (message.id === undefined) return;
    taken.add(message.id);
    waiting.get(message.id)?.();
  };
  const delivered = (index: number) =>
    taken.has(entryId(index))
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiting.set(entryId(index), resolve));
  return { hydrator, delivered };
}

async function follow(run: ReturnType<typeof scriptedRun>, plan: (n: number) => ConnectionPlan, extra = {}) {
  const { hydrator, delivered } = trackedHydrator();
  server = await startSseTestServer(run.events, plan, { delivered });
  const stream = openRunStream({ url: server.url, hydrator, ...FAST, ...extra });
  const final = await stream.finished;
  return { hydrator, final, requests: server.requests };
}

/** Every event was sent exactly once over all connections, in order. */
function expectEachEventOnce(requests: SseTestServer['requests'], total: number) {
  let next = 0;
  for (const request of requests) {
    expect(request.from).toBe(next);
    next += request.sent;
  }
  expect(next).toBe(total);
}

describe('openRunStream', () => {
  it('streams a run into the hydrator and stops at the terminal event on its own', async () => {
    const run = scriptedRun(chunksOf(50, (i) => `chunk ${i}; `));
    // the server keeps the connection open after the terminal event: the client must close it
    const { hydrator, final, requests } = await follow(run, () => ({ after: 'hold' }));
    expect(final.status).toBe('done');
    expect(requests).toHaveLength(1);
    expect(hydrator.getSnapshot().response?.status).toBe('complete');
    expect(agentText(hydrator, run.messageId)).toBe(run.text);
    expect(final.lastEventId).toBe(entryId(run.events.length - 1));
  });

  it('resumes after a dropped connection with Last-Event-ID: nothing lost, nothing twice', async () => {
    const run = scriptedRun(chunksOf(40, (i) => `${i}:é€😀 `));
    const { hydrator, final, requests } = await follow(run, (n) =>
      n < 3 ? { send: 7, after: 'destroy' } : {},
    );
    expect(final.status).toBe('done');
    expect(requests.map((r) => r.lastEventId)).toEqual([undefined, entryId(6), entryId(13), entryId(20)]);
    expectEachEventOnce(requests, run.events.length);
    expect(agentText(hydrator, run.messageId)).toBe(run.text);
  });

  it('drops a message cut in half by the connection and gets it whole after the resume', async () => {
    const run = scriptedRun(chunksOf(30, (i) => `line ${i}\n`));
    const { hydrator, final, requests } = await follow(run, (n) => (n < 2 ? { send: 9, after: 'cut' } : {}));
    expect(final.status).toBe('done');
    expect(requests.map((r) => r.lastEventId)).toEqual([undefined, entryId(8), entryId(17)]);
    expect(agentText(hydrator, run.messageId)).toBe(run.text);
  });

  it('keeps multi-byte characters whole when they arrive split across reads', async () => {
    const run = scriptedRun(chunksOf(20, (i) => `ü€😀${i}`));
    const { hydrator, final } = await follow(run, () => ({ sliceBytes: 3 }));
    expect(final.status).toBe('done');
    expect(agentText(hydrator, run.messageId)).toBe(run.text);
  });

  it('ignores heartbeat comments and heartbeat events', async () => {
    const run = scriptedRun(chunksOf(10, (i) => `h${i} `));
    const { hydrator, final } = await follow(run, () => ({ heartbeats: true }));
    expect(final.status).toBe('done');
    expect(hydrator.getSnapshot().response?.status).toBe('complete');
    expect(agentText(hydrator, run.messageId)).toBe(run.text);
  });

  it('skips heartbeats sent as plain data messages without an event name', async () => {
    const run = scriptedRun(['a', 'b']);
    server = await startSseTestServer(run.events, () => ({ heartbeats: true }));
    const hydrator = createHydrator();
    // an `{type: 'heartbeat'}` message would fail the StreamEvent schema if it reached the reducer
    const stream = openRunStream({ url: server.url, hydrator, ...FAST });
    expect((await stream.finished).status).toBe('done');
    expect(hydrator.getSnapshot().response?.status).toBe('complete');
  });

  it('reconnects when a stream ends early without its terminal event', async () => {
    const run = scriptedRun(chunksOf(12, (i) => `e${i} `));
    const { hydrator, final, requests } = await follow(run, (n) =>
      n === 0 ? { send: 5, after: 'end' } : {},
    );
    expect(final.status).toBe('done');
    expect(requests.map((r) => r.lastEventId)).toEqual([undefined, entryId(4)]);
    expectEachEventOnce(requests, run.events.length);
    expect(agentText(hydrator, run.messageId)).toBe(run.text);
  });

  it('drops a connection that went silent and resumes on a new one', async () => {
    const run = scriptedRun(chunksOf(8, (i) => `s${i} `));
    const { hydrator, final, requests } = await follow(
      run,
      (n) => (n === 0 ? { send: 6, after: 'silent' } : {}),
      {
        idleTimeoutMs: 150,
      },
    );
    expect(final.status).toBe('done');
    expect(requests.map((r) => r.lastEventId)).toEqual([undefined, entryId(5)]);
    expect(agentText(hydrator, run.messageId)).toBe(run.text);
  });

  it('retries server errors and continues from where it was', async () => {
    const run = scriptedRun(chunksOf(6, (i) => `r${i} `));
    const unavailable = { status: 503, body: { error: { code: 'STORE_ERROR', message: 'down' } } };
    const { hydrator, final, requests } = await follow(run, (n) =>
      n === 0 ? { send: 4, after: 'destroy' } : n < 3 ? unavailable : {},
    );
    expect(final.status).toBe('done');
    expect(requests.map((r) => r.lastEventId)).toEqual([undefined, entryId(3), entryId(3), entryId(3)]);
    expect(agentText(hydrator, run.messageId)).toBe(run.text);
  });

  it('gives up at once on an unknown run (404) with the server error', async () => {
    const run = scriptedRun(['x']);
    const notFound = { status: 404, body: { error: { code: 'RUN_NOT_FOUND', message: 'no such run' } } };
    const { hydrator, final, requests } = await follow(run, () => notFound);
    expect(final.status).toBe('failed');
    expect(final.error?.code).toBe('RUN_NOT_FOUND');
    expect(final.error?.status).toBe(404);
    expect(requests).toHaveLength(1);
    expect(hydrator.getSnapshot().response).toBeUndefined();
  });

  it('gives up after maxAttempts connections that deliver nothing', async () => {
    const run = scriptedRun(['x']);
    const { final, requests } = await follow(run, () => ({ status: 502 }), { maxAttempts: 2 });
    expect(final.status).toBe('failed');
    expect(final.error?.code).toBe('SERVER_UNREACHABLE');
    expect(requests).toHaveLength(3);
  });

  it('sends the caller headers (bearer token) on every attempt', async () => {
    const run = scriptedRun(chunksOf(4, (i) => `${i}`));
    const { final, requests } = await follow(run, (n) => (n === 0 ? { send: 2, after: 'destroy' } : {}), {
      headers: () => ({ Authorization: 'Bearer secret' }),
    });
    expect(final.status).toBe('done');
    expect(requests.map((r) => r.authorization)).toEqual(['Bearer secret', 'Bearer secret']);
  });

  it('starts after a given lastEventId (a resume after a page reload)', async () => {
    const run = scriptedRun(chunksOf(5, (i) => `${i}`));
    server = await startSseTestServer(run.events);
    const hydrator = createHydrator();
    // the first four events were applied before (by an earlier connection)
    for (const event of run.events.slice(0, 4)) hydrator.push({ data: JSON.stringify(event) });
    const stream = openRunStream({ url: server.url, hydrator, lastEventId: entryId(3), ...FAST });
    const final = await stream.finished;
    expect(final.status).toBe('done');
    expect(server.requests.map((r) => r.lastEventId)).toEqual([entryId(3)]);
    expect(agentText(hydrator, run.messageId)).toBe(run.text);
  });

  it('stops for good on close(), even while waiting to reconnect', async () => {
    const run = scriptedRun(chunksOf(5, (i) => `${i}`));
    server = await startSseTestServer(run.events, () => ({ status: 503 }));
    const hydrator = createHydrator();
    const statuses: string[] = [];
    const stream = openRunStream({
      url: server.url,
      hydrator,
      initialDelayMs: 60_000,
      onStateChange: (state) => statuses.push(state.status),
    });
    while (!statuses.includes('reconnecting')) await new Promise((resolve) => setTimeout(resolve, 5));
    stream.close();
    const final = await stream.finished;
    expect(final.status).toBe('closed');
    expect(server.requests).toHaveLength(1);
  });

  it('survives a rapid 1 MiB stream cut at random points, byte-exact', async () => {
    const chunks = chunksOf(1024, (i) =>
      `${String(i).padStart(4, '0')}${'abcdefghijklmnopqrstuvwxyzäö€😀\n'.repeat(32)}`.slice(0, 1024),
    );
    const run = scriptedRun(chunks);
    expect(run.text.length).toBeGreaterThanOrEqual(1024 * 1000);
    const cuts: ConnectionPlan[] = [
      { send: 100, after: 'cut' },
      { send: 333, after: 'destroy' },
      { send: 1, after: 'cut' },
      { send: 250, after: 'end' },
    ];
    const { hydrator, final, requests } = await follow(run, (n) => cuts[n] ?? {});
    expect(final.status).toBe('done');
    expect(requests).toHaveLength(5);
    expectEachEventOnce(requests, run.events.length);
    expect(agentText(hydrator, run.messageId)).toBe(run.text);
  });
});
