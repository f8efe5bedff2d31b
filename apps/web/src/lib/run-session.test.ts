import { reduceEvents } from '@cody/reducer';
import type { MessageItem } from '@cody/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { scriptedRun } from '../../test/support/run-events';
import { entryId, type SseTestServer, startSseTestServer } from '../../test/support/sse-test-server';
import { createRunSession, type RunSession } from './run-session';

let server: SseTestServer | undefined;
let session: RunSession | undefined;
afterEach(async () => {
  session?.dispose();
  session = undefined;
  await server?.close();
  server = undefined;
});

async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

const text = (s: RunSession, id: string) =>
  (s.view.getSnapshot().response?.output_items.find((item) => item.id === id) as MessageItem | undefined)
    ?.content;

describe('createRunSession', () => {
  it('pauses a live run and resumes it after the last event it applied', async () => {
    const run = scriptedRun(Array.from({ length: 10 }, (_, i) => `p${i} `));
    server = await startSseTestServer(run.events, (n) => (n === 0 ? { send: 6, after: 'hold' } : {}));
    session = createRunSession({ runId: run.runId, streamUrl: server.url, stream: { initialDelayMs: 5 } });
    const current = session;
    current.follow();
    await until(() => current.view.getSnapshot().lastEventId === entryId(5));
    current.pause();
    expect(current.connection.getSnapshot()?.status).toBe('closed');
    current.follow();
    await until(() => current.isDone());
    expect(server.requests.map((r) => r.lastEventId)).toEqual([undefined, entryId(5)]);
    expect(text(current, run.messageId)).toBe(run.text);
    expect(current.connection.getSnapshot()?.status).toBe('done');
  });

  it('renders history through the same hydrator, and a live follow of a finished run is a no-op', async () => {
    const run = scriptedRun(['from ', 'history']);
    const snapshot = reduceEvents(run.events);
    if (!snapshot) throw new Error('scripted run has no snapshot');
    server = await startSseTestServer(run.events);
    session = createRunSession({ runId: run.runId, streamUrl: server.url });
    session.load(snapshot);
    session.follow();
    expect(session.isDone()).toBe(true);
    expect(session.view.getSnapshot().response).toEqual(snapshot);
    expect(server.requests).toHaveLength(0);
  });

  it('falls back to the stored snapshot when the server no longer has the stream', async () => {
    const run = scriptedRun(['kept']);
    const snapshot = reduceEvents(run.events);
    if (!snapshot) throw new Error('scripted run has no snapshot');
    server = await startSseTestServer(run.events, () => ({
      status: 404,
      body: { error: { code: 'RUN_NOT_FOUND', message: 'gone' } },
    }));
    session = createRunSession({ runId: run.runId, streamUrl: server.url });
    const current = session;
    current.follow(snapshot);
    await until(() => current.isDone());
    expect(current.view.getSnapshot().response).toEqual(snapshot);
  });
});
