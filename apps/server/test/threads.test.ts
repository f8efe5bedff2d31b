import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response, Thread } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { agentMessages, itemsOf, listAllThreads, runToEnd } from './support-runs';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    rules: [
      // the last user text tells the turns apart: turn 2's request carries turn 1's prompt too
      {
        match: { lastUserText: 'TC-HP-7 first', step: 1 },
        reply: replies.toolCalls([{ name: 'readFile', arguments: { path: 'a.txt' } }]),
      },
      { match: { lastUserText: 'TC-HP-7 first', step: 2 }, reply: replies.text('a.txt says hello.') },
      { match: { lastUserText: 'TC-HP-7 second' }, reply: replies.text('You asked about a.txt before.') },
      { match: { marker: 'TC-HP-8' }, reply: replies.text('Thread answer.') },
      {
        match: { marker: 'TC-ER-11' },
        reply: replies.text(['Turn', ' answer', ' on', ' a', ' shared', ' thread.'], { delayMs: 5 }),
      },
    ],
  });
  writeFileSync(join(stack.workspace, 'a.txt'), 'hello from a\n');
});
afterAll(() => stack.close());

describe('[TC-HP-7] multi-turn', () => {
  it.each([
    ['openai', 'gpt-5-mini'],
    ['anthropic', 'claude-haiku-4.5'],
  ] as const)(
    '%s: turn 2 sends turn 1 (prompt, tool call and output, answer) to the provider',
    async (providerId, model) => {
      const first = await runToEnd(stack, {
        prompt: `Read a.txt please (TC-HP-7 first ${providerId})`,
        providerId,
        model,
      });
      expect(first.stored.status).toBe('complete');
      const [call] = itemsOf(first.stored, 'function_call');
      const second = await runToEnd(stack, {
        prompt: `What did I ask before? (TC-HP-7 second ${providerId})`,
        providerId,
        model,
        threadId: first.threadId,
      });
      expect(second.stored.status).toBe('complete');
      expect(second.threadId).toBe(first.threadId);
      expect(second.turnId).not.toBe(first.turnId);

      const [request] = stack.llm.findRequests({ lastUserText: `TC-HP-7 second ${providerId}` });
      const conversation = request?.transcript.filter(
        (entry) => !(entry.kind === 'text' && entry.role === 'system'),
      );
      expect(conversation).toEqual([
        { kind: 'text', role: 'user', text: `Read a.txt please (TC-HP-7 first ${providerId})` },
        { kind: 'tool_call', callId: call?.call_id, name: 'readFile', arguments: '{"path":"a.txt"}' },
        { kind: 'tool_result', callId: call?.call_id, output: 'hello from a\n', isError: false },
        { kind: 'text', role: 'assistant', text: 'a.txt says hello.' },
        { kind: 'text', role: 'user', text: `What did I ask before? (TC-HP-7 second ${providerId})` },
      ]);
      // the second turn stores only its own items
      expect(second.stored.output_items.map((item) => item.type)).toEqual(['message', 'message']);
      expect(agentMessages(second.stored)[0]?.content).toBe('You asked about a.txt before.');

      const thread = await stack.api<{ thread: Thread; runs: Response[] }>(
        'GET',
        `/api/v2/threads/${first.threadId}`,
      );
      expect(thread.status).toBe(200);
      expect(thread.json.runs.map((run) => run.id)).toEqual([first.runId, second.runId]);
    },
  );
});

describe('[TC-HP-8] threads', () => {
  it('a submit without threadId creates the thread; it is listed, fetched, renamed and deleted', async () => {
    const run = await runToEnd(stack, {
      prompt: 'Start a thread TC-HP-8\nsecond line',
      providerId: 'openai',
      model: 'gpt-5-mini',
    });
    expect(run.stored.status).toBe('complete');
    expect(run.stored.thread_id).toBe(run.threadId);

    const listed = (await listAllThreads(stack)).find((thread) => thread.id === run.threadId);
    // titled after the prompt's first line
    expect(listed?.title).toBe('Start a thread TC-HP-8');

    const fetched = await stack.api<{ thread: Thread; runs: Response[] }>(
      'GET',
      `/api/v2/threads/${run.threadId}`,
    );
    expect(fetched.status).toBe(200);
    expect(fetched.json.thread.id).toBe(run.threadId);
    expect(fetched.json.runs).toEqual([run.stored]);

    const renamed = await stack.api<Thread>('PATCH', `/api/v2/threads/${run.threadId}`, {
      title: 'Renamed TC-HP-8',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json.title).toBe('Renamed TC-HP-8');
    const again = await stack.api<{ thread: Thread }>('GET', `/api/v2/threads/${run.threadId}`);
    expect(again.json.thread.title).toBe('Renamed TC-HP-8');
    expect((await listAllThreads(stack)).find((thread) => thread.id === run.threadId)?.title).toBe(
      'Renamed TC-HP-8',
    );

    const deleted = await stack.api('DELETE', `/api/v2/threads/${run.threadId}`);
    expect(deleted.status).toBe(204);
    const gone = await stack.api<{ error: { code: string } }>('GET', `/api/v2/threads/${run.threadId}`);
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe('THREAD_NOT_FOUND');
    // its runs went with it
    const runGone = await stack.api<{ error: { code: string } }>('GET', `/api/v2/runs/${run.runId}`);
    expect(runGone.status).toBe(404);
    expect((await listAllThreads(stack)).some((thread) => thread.id === run.threadId)).toBe(false);
    const deletedAgain = await stack.api<{ error: { code: string } }>(
      'DELETE',
      `/api/v2/threads/${run.threadId}`,
    );
    expect(deletedAgain.status).toBe(404);
  });

  it('a created thread takes submits; the list pages with limit and cursor', async () => {
    const created = await stack.api<Thread>('POST', '/api/v2/threads', { title: 'Made first TC-HP-8' });
    expect(created.status).toBe(201);
    const run = await runToEnd(stack, {
      prompt: 'into it TC-HP-8',
      providerId: 'anthropic',
      model: 'claude-haiku-4.5',
      threadId: created.json.id,
    });
    expect(run.threadId).toBe(created.json.id);
    expect(run.stored.status).toBe('complete');

    for (let i = 0; i < 3; i++)
      expect((await stack.api('POST', '/api/v2/threads', { title: `page ${i}` })).status).toBe(201);
    const all = await listAllThreads(stack);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await stack.api<{ threads: Thread[]; nextCursor: string | null }>(
        'GET',
        `/api/v2/threads${query}`,
      );
      expect(page.status).toBe(200);
      expect(page.json.threads.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.threads.map((thread) => thread.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((thread) => thread.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(4);
  });
});

describe('[TC-ER-11] thread collision', () => {
  it('two turns submitted to one thread at the same moment both complete with distinct turn ids', async () => {
    const created = await stack.api<Thread>('POST', '/api/v2/threads', { title: 'Collision TC-ER-11' });
    const threadId = created.json.id;
    const [a, b] = await Promise.all([
      runToEnd(stack, {
        prompt: 'first at once TC-ER-11',
        providerId: 'openai',
        model: 'gpt-5-mini',
        threadId,
      }),
      runToEnd(stack, {
        prompt: 'second at once TC-ER-11',
        providerId: 'anthropic',
        model: 'claude-haiku-4.5',
        threadId,
      }),
    ]);
    for (const run of [a, b]) {
      expect(run.stored.status).toBe('complete');
      expect(run.stored.thread_id).toBe(threadId);
      expect(run.stored).toEqual(run.hydrated);
      expect(agentMessages(run.stored)[0]?.content).toBe('Turn answer on a shared thread.');
    }
    expect(a.turnId).not.toBe(b.turnId);
    expect(a.runId).not.toBe(b.runId);
    expect(a.stored.turn_id).toBe(a.turnId);
    expect(b.stored.turn_id).toBe(b.turnId);
    expect(itemsOf(a.stored, 'message')[0]?.content).toBe('first at once TC-ER-11');
    expect(itemsOf(b.stored, 'message')[0]?.content).toBe('second at once TC-ER-11');

    const thread = await stack.api<{ thread: Thread; runs: Response[] }>(
      'GET',
      `/api/v2/threads/${threadId}`,
    );
    expect(thread.json.runs.map((run) => run.id).sort()).toEqual([a.runId, b.runId].sort());
    expect(new Set(thread.json.runs.map((run) => run.turn_id)).size).toBe(2);
    expect(thread.json.runs.every((run) => run.thread_id === threadId && run.status === 'complete')).toBe(
      true,
    );
  });
});
