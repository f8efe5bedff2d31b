// [TC-ST-4] cancel mid-stream against the real stack: the provider request is aborted (the test
// LLM sees the client close it), a running tool's process is killed, open items are closed, the
// run ends `aborted` and stays so; and a cancel sent to another server process works the same.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRedisKeys, createStreamEvent } from '@cody/redis';
import { reduceEvents } from '@cody/reducer';
import type { StreamEvent } from '@cody/schema';
import { type RecordedRequest, replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, hydrate, type SseMessage, type Stack, startStack } from './harness';
import {
  processAlive,
  readSseStream,
  streamEntries,
  waitFor,
  waitForTerminalRun,
  withIds,
} from './support-stream-helpers';

const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i} `);
const LONG_TEXT = many('w', 400);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    rules: [
      { match: { marker: 'CANCEL-TEXT' }, reply: replies.text(LONG_TEXT, { delayMs: 20 }) },
      { match: { marker: 'CANCEL-FIRSTBYTE' }, reply: replies.text(['never', ' sent'], { delayMs: 30_000 }) },
      {
        match: { marker: 'CANCEL-TOOL', step: 1 },
        reply: replies.toolCalls([
          { name: 'exec', arguments: { shell: 'echo $$ > sleep.pid; exec sleep 30' } },
        ]),
      },
      { match: { marker: 'CANCEL-TOOL', step: 2 }, reply: replies.text('the model must not be asked again') },
      { match: { marker: 'TURN2 CANCEL-ARGS' }, reply: replies.text('turn two answered') },
      {
        match: { marker: 'CANCEL-ARGS' },
        reply: replies.toolCalls(
          [{ name: 'writeFile', arguments: { path: 'never.txt', content: 'x'.repeat(2000) } }],
          {
            chunkSize: 8,
            delayMs: 20,
          },
        ),
      },
      { match: { marker: 'CANCEL-REMOTE' }, reply: replies.text(LONG_TEXT, { delayMs: 20 }) },
    ],
  });
});
afterAll(() => stack.close());

const eventsOf = (messages: SseMessage[]): StreamEvent[] => events(withIds(messages));

/** Starts reading the run's SSE; resolves `ready` once `until` holds for the messages so far. */
function follow(baseUrl: string, runId: string, until: (messages: SseMessage[]) => boolean) {
  const seen: SseMessage[] = [];
  let release: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    release = resolve;
  });
  const done = readSseStream(baseUrl, runId, {
    onMessage(message) {
      seen.push(message);
      if (until(seen)) release();
    },
  }).finally(() => release());
  return { ready, done };
}

const deltas = (messages: SseMessage[]) => messages.filter((m) => m.event === 'item_delta').length;

async function cancel(runId: string, via = stack) {
  const reply = await via.api<{ runId: string; outcome: string }>('POST', `/api/v2/runs/${runId}/cancel`);
  expect(reply.status).toBe(202);
  return reply.json.outcome;
}

function requestsFor(marker: string): RecordedRequest[] {
  return stack.llm.findRequests({ marker });
}

describe('[TC-ST-4] cancel mid-stream', () => {
  it('while the model streams text: provider request aborted, item cancelled, run aborted for good', async () => {
    const { runId } = await stack.submit({ prompt: 'write a lot CANCEL-TEXT' });
    const reader = follow(stack.baseUrl, runId, (m) => deltas(m) >= 5);
    await reader.ready;
    expect(await cancel(runId)).toBe('signalled');
    const messages = await reader.done;

    // the provider saw the client go away before its reply ended
    const [request] = requestsFor('CANCEL-TEXT');
    expect(await request?.outcome).toBe('client_closed');
    expect(request?.eventsSent).toBeLessThan(LONG_TEXT.length);

    const streamed = eventsOf(messages);
    expect(streamed.at(-1)?.type).toBe('turn_aborted_by_user');
    expect(streamed.some((e) => e.type === 'response_done')).toBe(false);
    const agentStart = streamed.find((e) => e.payload.type === 'item_start' && e.payload.origin === 'agent');
    const agentItemId = agentStart?.payload.type === 'item_start' ? agentStart.payload.item_id : undefined;
    expect(
      streamed
        .filter((e) => e.type === 'item_cancelled')
        .map((e) => 'item_id' in e.payload && e.payload.item_id),
    ).toEqual([agentItemId]);

    const stored = await waitForTerminalRun(stack, runId);
    expect(stored.status).toBe('aborted');
    expect(stored.finish_reason).toBe('aborted');
    expect(stored).toEqual(hydrate(messages));
    // what streamed before the cancel is kept
    const partial = stored.output_items.find((item) => item.id === agentItemId);
    expect(
      partial?.type === 'message' &&
        LONG_TEXT.join('').startsWith(partial.content) &&
        partial.content.length > 0,
    ).toBe(true);

    // a response_done arriving late (a slow writer, a redelivery) cannot undo the abort
    const late = createStreamEvent(runId, {
      type: 'response_done',
      response_id: runId,
      status: 'complete',
      finish_reason: 'stop',
    });
    await stack.redis.xadd(createRedisKeys(stack.prefix).runEvents(runId), '*', 'e', JSON.stringify(late));
    const entries = await streamEntries(stack.redis, stack.prefix, runId);
    expect(entries.at(-1)?.event.type).toBe('response_done');
    expect(reduceEvents(entries.map((e) => e.event))?.status).toBe('aborted');
    const again = await readSseStream(stack.baseUrl, runId);
    expect(withIds(again).at(-1)?.event).toBe('turn_aborted_by_user');
    expect(hydrate(again)?.status).toBe('aborted');
    expect((await stack.api<{ status: string }>('GET', `/api/v2/runs/${runId}`)).json.status).toBe('aborted');
    // a second cancel finds nothing to stop
    expect(await cancel(runId)).toBe('not_active');
  });

  it('before the model sent anything: the provider request is aborted, the run ends aborted', async () => {
    const { runId } = await stack.submit({ prompt: 'think long CANCEL-FIRSTBYTE' });
    await waitFor('the provider request', () => requestsFor('CANCEL-FIRSTBYTE').length === 1);
    expect(await cancel(runId)).toBe('signalled');
    expect(await requestsFor('CANCEL-FIRSTBYTE')[0]?.outcome).toBe('client_closed');
    const stored = await waitForTerminalRun(stack, runId);
    expect(stored.status).toBe('aborted');
    expect(stored.output_items.map((item) => item.type)).toEqual(['message']);
    expect(withIds(await readSseStream(stack.baseUrl, runId)).at(-1)?.event).toBe('turn_aborted_by_user');
  });

  it('while a tool runs: its process is killed, the call answered failed once, the model not asked again', async () => {
    const { runId } = await stack.submit({ prompt: 'run it CANCEL-TOOL' });
    const reader = follow(stack.baseUrl, runId, () => false);
    const pidFile = join(stack.workspace, 'sleep.pid');
    const pid = await waitFor(
      'the sleep process',
      () => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8').trim()),
    );
    expect(processAlive(pid)).toBe(true);
    expect(await cancel(runId)).toBe('signalled');
    const messages = await reader.done;

    await waitFor('the sleep process to be killed', () => !processAlive(pid));
    const streamed = eventsOf(messages);
    expect(streamed.at(-1)?.type).toBe('turn_aborted_by_user');
    const call = streamed.find(
      (e) => e.payload.type === 'item_done' && e.payload.final_item.type === 'function_call',
    );
    const callId =
      call?.payload.type === 'item_done' && call.payload.final_item.type === 'function_call'
        ? call.payload.final_item.call_id
        : '';
    const outputs = streamed.flatMap((e) =>
      e.payload.type === 'item_done' && e.payload.final_item.type === 'function_call_output'
        ? [e.payload.final_item]
        : [],
    );
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toMatchObject({ call_id: callId, success: false });
    expect(requestsFor('CANCEL-TOOL')).toHaveLength(1);

    const stored = await waitForTerminalRun(stack, runId);
    expect(stored.status).toBe('aborted');
    expect(stored).toEqual(hydrate(messages));
    // the tool worker let go of the request: nothing pending in its group
    const keys = createRedisKeys(stack.prefix);
    await waitFor('tool requests acked', async () => {
      const pending = (await stack.redis.xpending(keys.toolRequests, 'codex-tool-workers')) as [number];
      return pending[0] === 0;
    });
  });

  it.each([
    ['openai', 'gpt-5-mini'],
    ['anthropic', 'claude-haiku-4.5'],
  ])(
    '%s: while a function call streams, it is cancelled and answered failed, and the next turn is valid',
    async (providerId, model) => {
      const marker = `CANCEL-ARGS-${providerId}`;
      const { runId, threadId } = await stack.submit({ prompt: `write a file ${marker}`, providerId, model });
      const reader = follow(stack.baseUrl, runId, (m) => deltas(m) >= 5);
      await reader.ready;
      expect(await cancel(runId)).toBe('signalled');
      const messages = await reader.done;

      const streamed = eventsOf(messages);
      const start = streamed.find(
        (e) => e.payload.type === 'item_start' && e.payload.item_type === 'function_call',
      );
      const { item_id: callItemId, call_id: callId } =
        start?.payload.type === 'item_start' ? start.payload : { item_id: '', call_id: '' };
      expect(
        streamed.some((e) => e.payload.type === 'item_cancelled' && e.payload.item_id === callItemId),
      ).toBe(true);
      const outputs = streamed.flatMap((e) =>
        e.payload.type === 'item_done' && e.payload.final_item.type === 'function_call_output'
          ? [e.payload.final_item]
          : [],
      );
      expect(outputs).toEqual([
        expect.objectContaining({ call_id: callId, success: false, origin: 'system' }),
      ]);
      expect(streamed.at(-1)?.type).toBe('turn_aborted_by_user');
      expect(existsSync(join(stack.workspace, 'never.txt'))).toBe(false);
      expect((await waitForTerminalRun(stack, runId)).status).toBe('aborted');

      // the provider accepts the thread's history (the call has its output) and answers turn 2
      const turn2 = await stack.submit({ prompt: `and now? TURN2 ${marker}`, threadId, providerId, model });
      const second = await waitForTerminalRun(stack, turn2.runId);
      expect(second.status).toBe('complete');
      const [request] = stack.llm.findRequests({ marker: `TURN2 ${marker}` });
      expect(request?.status).toBe(200);
      expect(request?.transcript).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'tool_call', callId }),
          expect.objectContaining({
            kind: 'tool_result',
            callId,
            output: expect.stringContaining('cancelled'),
          }),
        ]),
      );
    },
  );

  it('a cancel sent to another server process stops the run where it runs', async () => {
    // a second server on the same Redis prefix, API only, in a process of its own
    const other = await startStack({
      childProcess: true,
      env: { CODY_REDIS_PREFIX: stack.prefix, CODY_WORKERS: 'none' },
    });
    try {
      const { runId } = await stack.submit({ prompt: 'write a lot CANCEL-REMOTE' });
      // followed through the other process too
      const reader = follow(other.baseUrl, runId, (m) => deltas(m) >= 5);
      await reader.ready;
      expect(await cancel(runId, other)).toBe('signalled');
      const messages = await reader.done;
      expect(await requestsFor('CANCEL-REMOTE')[0]?.outcome).toBe('client_closed');
      expect(eventsOf(messages).at(-1)?.type).toBe('turn_aborted_by_user');
      const stored = await waitForTerminalRun(other, runId);
      expect(stored.status).toBe('aborted');
      expect(stored).toEqual(hydrate(messages));
    } finally {
      await other.close();
    }
  });

  it('cancelling a finished run changes nothing; an unknown run is 404', async () => {
    const { runId } = await stack.submit({ prompt: 'quick one' });
    const stored = await waitForTerminalRun(stack, runId);
    expect(stored.status).toBe('complete');
    expect(await cancel(runId)).toBe('not_active');
    expect((await stack.api('GET', `/api/v2/runs/${runId}`)).json).toEqual(stored);
    const unknown = await stack.api<{ error: { code: string } }>(
      'POST',
      '/api/v2/runs/5b0e8a4e-7f7a-4d0e-9a55-6a8f2f7d0c11/cancel',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('RUN_NOT_FOUND');
  });
});
