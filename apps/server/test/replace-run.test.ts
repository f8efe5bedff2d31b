// Retry, regenerate and edit: POST /submit with `replacesRunId` starts a new run of the same
// turn; the replaced run stays in the thread and is left out of the history sent to the provider.
import { randomUUID } from 'node:crypto';
import type { Response, Thread } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { runToEnd } from './support-runs';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    rules: [
      // mid-stream (the SDKs do not retry it), and only once: the retry gets the default answer
      {
        match: { lastUserText: 'REPLACE-fail' },
        reply: replies.text('cut short', { error: { afterEvents: 3 } }),
        times: 1,
      },
      { match: { lastUserText: 'REPLACE-slow' }, reply: replies.text(['slow ', 'answer'], { delayMs: 300 }) },
    ],
  });
});
afterAll(() => stack.close());

/** The user's texts in a request's transcript (the default answer echoes the prompt). */
const texts = (transcript: readonly { kind: string; role?: string; text?: string }[]) =>
  transcript.flatMap((entry) => (entry.kind === 'text' && entry.role === 'user' ? [entry.text] : []));

interface ThreadWithRuns {
  thread: Thread;
  runs: Response[];
}

describe('replacesRunId', () => {
  it('retry of a failed run: same turn and thread, the failed run kept but not sent as history', async () => {
    const marker = randomUUID();
    const first = await runToEnd(stack, { prompt: `first ${marker}`, providerId: 'openai' });
    expect(first.stored.status).toBe('complete');
    const failed = await runToEnd(stack, {
      prompt: `REPLACE-fail ${marker}`,
      threadId: first.threadId,
      providerId: 'openai',
    });
    expect(failed.stored.status).toBe('error');

    const retry = await runToEnd(stack, {
      prompt: `REPLACE-fail ${marker}`,
      threadId: first.threadId,
      replacesRunId: failed.runId,
      providerId: 'openai',
    });
    expect(retry.stored.status).toBe('complete');
    expect(retry.stored.replaces_run_id).toBe(failed.runId);
    expect(retry.turnId).toBe(failed.turnId);
    expect(retry.threadId).toBe(first.threadId);

    // the provider saw the first turn and the prompt once, not the failed attempt
    const request = stack.llm.findRequests({ marker }).at(-1);
    expect(texts(request?.transcript ?? []).filter((text) => text?.includes('REPLACE-fail'))).toHaveLength(1);
    expect(texts(request?.transcript ?? [])[0]).toContain(`first ${marker}`);

    const thread = await stack.api<ThreadWithRuns>('GET', `/api/v2/threads/${first.threadId}`);
    expect(thread.json.runs.map((run) => [run.id, run.replaces_run_id])).toEqual([
      [first.runId, undefined],
      [failed.runId, undefined],
      [retry.runId, failed.runId],
    ]);

    // the next turn continues from the retry: the failed run is never history again
    await runToEnd(stack, { prompt: `third ${marker}`, threadId: first.threadId, providerId: 'openai' });
    const next = stack.llm.findRequests({ marker }).at(-1);
    expect(texts(next?.transcript ?? []).filter((text) => text?.includes('REPLACE-fail'))).toHaveLength(1);
  });

  it('regenerate without threadId takes the thread from the run; the edited prompt replaces the old one', async () => {
    const marker = randomUUID();
    const first = await runToEnd(stack, { prompt: `original ${marker}`, providerId: 'anthropic' });
    const edited = await runToEnd(stack, {
      prompt: `edited ${marker}`,
      replacesRunId: first.runId,
      providerId: 'anthropic',
    });
    expect(edited.threadId).toBe(first.threadId);
    expect(edited.stored.replaces_run_id).toBe(first.runId);
    const request = stack.llm.findRequests({ marker }).at(-1);
    expect(texts(request?.transcript ?? []).some((text) => text?.includes('original'))).toBe(false);
    expect(request?.lastUserText).toBe(`edited ${marker}`);
  });

  it('refuses what cannot be replaced, and writes nothing', async () => {
    const first = await runToEnd(stack, { prompt: `one ${randomUUID()}`, providerId: 'openai' });
    const other = await runToEnd(stack, { prompt: `other ${randomUUID()}`, providerId: 'openai' });
    const submit = (body: Record<string, unknown>) =>
      stack.api<{ error: { code: string; message: string } }>('POST', '/api/v2/submit', {
        prompt: 'again',
        providerId: 'openai',
        ...body,
      });

    const unknown = await submit({ threadId: first.threadId, replacesRunId: randomUUID() });
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'RUN_NOT_FOUND']);
    const mismatch = await submit({ threadId: first.threadId, replacesRunId: other.runId });
    expect([mismatch.status, mismatch.json.error.code]).toEqual([400, 'RUN_THREAD_MISMATCH']);
    const notUuid = await submit({ threadId: first.threadId, replacesRunId: 'run-1' });
    expect([notUuid.status, notUuid.json.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect(notUuid.json.error.message).toContain('replacesRunId');

    const slow = await stack.submit({ prompt: `REPLACE-slow ${randomUUID()}`, threadId: first.threadId });
    const active = await submit({ threadId: first.threadId, replacesRunId: slow.runId });
    expect([active.status, active.json.error.code]).toEqual([409, 'RUN_STILL_ACTIVE']);
    await stack.waitForRun(slow.runId);

    const once = await submit({ threadId: first.threadId, replacesRunId: first.runId });
    expect(once.status).toBe(202);
    await stack.waitForRun((once.json as unknown as { runId: string }).runId);
    const twice = await submit({ threadId: first.threadId, replacesRunId: first.runId });
    expect([twice.status, twice.json.error.code]).toEqual([409, 'RUN_ALREADY_REPLACED']);

    const thread = await stack.api<ThreadWithRuns>('GET', `/api/v2/threads/${first.threadId}`);
    expect(thread.json.runs).toHaveLength(3);
  });

  it('a thread created empty ("New thread") is named after its first prompt', async () => {
    const created = await stack.api<Thread>('POST', '/api/v2/threads', {});
    expect(created.json.title).toBe('New thread');
    await runToEnd(stack, { prompt: '  Explain the lease\nsecond line', threadId: created.json.id });
    const thread = await stack.api<ThreadWithRuns>('GET', `/api/v2/threads/${created.json.id}`);
    expect(thread.json.thread.title).toBe('Explain the lease');
    await runToEnd(stack, { prompt: 'a later prompt', threadId: created.json.id });
    expect(
      (await stack.api<ThreadWithRuns>('GET', `/api/v2/threads/${created.json.id}`)).json.thread.title,
    ).toBe('Explain the lease');
  });
});
