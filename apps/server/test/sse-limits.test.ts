// SSE connection caps (issue #13): past CODY_SSE_MAX_CONNECTIONS_PER_RUN streams of one run, or
// CODY_SSE_MAX_CONNECTIONS in all, a new stream is refused with 503 SSE_CAPACITY_REACHED and
// Retry-After; a slot comes back when its stream ends; the streams that were served are exact.
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SseMessage, type Stack, startStack } from './harness';
import { rawRequest } from './support-raw-http';
import {
  entryPairs,
  idPairs,
  readSseStream,
  streamEntries,
  waitFor,
  waitForTerminalRun,
} from './support-stream-helpers';

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `);
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: { CODY_SSE_MAX_CONNECTIONS: '3', CODY_SSE_MAX_CONNECTIONS_PER_RUN: '2' },
    // long enough that every reader below joins while the run is live
    rules: [{ match: { marker: 'SSE-CAP' }, reply: replies.text(words(300), { delayMs: 25 }) }],
  });
});
afterAll(() => stack.close());

const capacity = () => stack.server?.context.sseCapacity.stats().total ?? -1;

/** Opens a reader and resolves `open` once the server answered it with its first message. */
function openReader(runId: string, signal?: AbortSignal) {
  let opened: () => void = () => {};
  const open = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const done = readSseStream(stack.baseUrl, runId, {
    ...(signal ? { signal } : {}),
    onMessage: () => opened(),
  });
  return { open, done };
}

async function refused(runId: string) {
  const reply = await rawRequest(stack.baseUrl, { path: `/api/v2/stream/${runId}` });
  return { status: reply.status, code: reply.json?.error?.code, retryAfter: reply.headers['retry-after'] };
}

describe('SSE connection caps', () => {
  it('refuses a stream past the per-run and the per-process cap, and gives the slot back when a stream ends', async () => {
    const a = await stack.submit({ prompt: 'SSE-CAP a' });
    const b = await stack.submit({ prompt: 'SSE-CAP b' });
    const first = openReader(a.runId);
    const leaving = new AbortController();
    const second = openReader(a.runId, leaving.signal);
    await Promise.all([first.open, second.open]);

    // per run: the third viewer of run a
    expect(await refused(a.runId)).toEqual({ status: 503, code: 'SSE_CAPACITY_REACHED', retryAfter: '1' });

    // per process: run b's first viewer fits (3 of 3), its second does not
    const third = openReader(b.runId);
    await third.open;
    expect(await refused(b.runId)).toEqual({ status: 503, code: 'SSE_CAPACITY_REACHED', retryAfter: '1' });
    expect(capacity()).toBe(3);

    // a viewer leaves: its slot is free again and a new viewer of run a is served
    leaving.abort();
    await second.done;
    await waitFor('the slot to be released', () => capacity() === 2);
    const again = openReader(a.runId);

    const [messages, , lateMessages, bMessages] = await Promise.all([
      first.done,
      again.open,
      again.done,
      third.done,
    ]);
    // the streams that were served are the whole run, exactly as Redis holds it
    const exact = async (runId: string, got: SseMessage[]) =>
      expect(idPairs(got)).toEqual(entryPairs(await streamEntries(stack.redis, stack.prefix, runId)));
    await exact(a.runId, messages);
    await exact(a.runId, lateMessages);
    await exact(b.runId, bMessages);
    await waitFor('every slot to be released', () => capacity() === 0);
    expect((await waitForTerminalRun(stack, a.runId)).status).toBe('complete');
  });

  it('counts a replay of a stored run like a live stream, and releases it at the end', async () => {
    const run = await stack.submit({ prompt: 'a short one' });
    await waitForTerminalRun(stack, run.runId);
    const messages = await readSseStream(stack.baseUrl, run.runId);
    expect(messages.at(-1)?.event).toBe('response_done');
    await waitFor('the replay slot to be released', () => capacity() === 0);
  });
});
