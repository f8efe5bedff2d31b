import type { ErrorInfo } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { agentMessages, type FinishedRun, itemsOf, openItemIds, runToEnd } from './support-runs';

const providers = [
  ['openai', 'gpt-5-mini'],
  ['anthropic', 'claude-haiku-4.5'],
] as const;

// scripted turn: a short reasoning part (3 deltas), then text in 5 deltas
const PARTIAL_TEXT = ['Partial ', 'answer ', 'that ', 'never ', 'ends.'];
// the frame index after the 2nd text delta, in each protocol's framing of that turn
const AFTER_TWO_TEXT_DELTAS = { openai: 14, anthropic: 11 } as const;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    rules: [
      // [TC-ER-1] HTTP errors before streaming; the providers send retry-after-ms with them
      ...[401, 429, 500].map((status) => ({
        match: { marker: `TC-ER-1-${status}` },
        reply: replies.httpError(status, { headers: { 'retry-after-ms': '10' } }),
      })),
      // [TC-ER-2] the provider's error event mid-stream
      ...providers.map(([provider]) => ({
        match: { marker: 'TC-ER-2-scripted', provider },
        reply: replies.text(PARTIAL_TEXT, {
          reasoning: 'Short thought.',
          error: { afterEvents: AFTER_TWO_TEXT_DELTAS[provider] },
        }),
      })),
      {
        match: { marker: 'TC-ER-2-recording' },
        reply: replies.recording('openai-responses/error-insufficient-quota.sse'),
      },
      // [TC-ER-5] no output at all
      { match: { marker: 'TC-ER-5' }, reply: { kind: 'turn', parts: [] } },
      // [TC-ER-6] the connection drops mid-stream
      ...providers.map(([provider]) => ({
        match: { marker: 'TC-ER-6', provider },
        reply: replies.text(PARTIAL_TEXT, {
          reasoning: 'Short thought.',
          dropAfterEvents: AFTER_TWO_TEXT_DELTAS[provider],
        }),
      })),
    ],
  });
});
afterAll(() => stack.close());

/** The run ended `error` everywhere: snapshot, stream, hydrated view; no item left open. */
function expectEndedInError(run: FinishedRun, code: string): ErrorInfo {
  expect(run.stored.status).toBe('error');
  expect(run.stored.finish_reason).toBe('error');
  expect(run.stored.error?.code).toBe(code);
  expect(run.stored).toEqual(run.hydrated);
  const last = run.events.at(-1);
  expect(last?.type).toBe('response_error');
  expect(openItemIds(run.events)).toEqual([]);
  return run.stored.error as ErrorInfo;
}

describe('[TC-ER-1] provider HTTP error before streaming', () => {
  const cases = providers.flatMap(([providerId, model]) =>
    (
      [
        [
          401,
          'PROVIDER_AUTH_ERROR',
          providerId === 'openai' ? 'Incorrect API key provided' : 'invalid x-api-key',
        ],
        [429, 'PROVIDER_RATE_LIMITED', providerId === 'openai' ? 'Rate limit reached' : 'rate limit'],
        [
          500,
          'PROVIDER_ERROR',
          providerId === 'openai' ? 'The server had an error' : 'Internal server error',
        ],
      ] as const
    ).map(([status, code, text]) => [providerId, model, status, code, text] as const),
  );
  it.each(cases)(
    '%s %s: HTTP %s → Response error %s with the provider message',
    async (providerId, model, status, code, text) => {
      const marker = `TC-ER-1-${status} ${providerId}`;
      const run = await runToEnd(stack, { prompt: `fail please ${marker}`, providerId, model });
      const error = expectEndedInError(run, code);
      expect(error.message).toContain(text);
      expect(run.stored.output_items.map((item) => item.origin)).toEqual(['user']);
      const requests = stack.llm.findRequests({ marker });
      // a client error is not retried; rate limits and server errors are, before any byte streamed
      if (status === 401) expect(requests).toHaveLength(1);
      else expect(requests.length).toBeGreaterThan(1);
      expect(requests.every((request) => request.status === status)).toBe(true);
    },
  );
});

describe('[TC-ER-2] provider error event mid-stream', () => {
  it.each([
    ['openai', 'gpt-5-mini', 'PROVIDER_ERROR', 'The server had an error'],
    ['anthropic', 'claude-haiku-4.5', 'PROVIDER_OVERLOADED', 'Overloaded'],
  ] as const)(
    '%s %s: finished items kept, the open one closed with its partial text, Response error %s',
    async (providerId, model, code, text) => {
      const run = await runToEnd(stack, {
        prompt: `think then fail TC-ER-2-scripted ${providerId}`,
        providerId,
        model,
        reasoning: 'low',
      });
      const error = expectEndedInError(run, code);
      expect(error.message).toContain(text);
      // the reasoning finished before the failure and is kept whole
      expect(itemsOf(run.stored, 'reasoning')[0]?.content).toBe('Short thought.');
      // the message was cut: its partial text is kept and the item was closed with item_error
      const [message] = agentMessages(run.stored);
      expect(message?.content).toBe('Partial answer ');
      const itemError = run.events.find((e) => e.payload.type === 'item_error');
      expect(itemError?.payload).toMatchObject({ item_id: message?.id, error: { code } });
    },
  );

  it('openai recording: a real insufficient_quota failure ends the run with a clear error', async () => {
    const run = await runToEnd(stack, {
      prompt: 'out of credit TC-ER-2-recording',
      providerId: 'openai',
      model: 'gpt-5-mini',
    });
    const error = expectEndedInError(run, 'PROVIDER_ERROR');
    expect(error.message).toMatch(/quota/i);
  });
});

describe('[TC-ER-5] empty model output', () => {
  it.each(providers)(
    '%s: Response complete with no agent message, not an error',
    async (providerId, model) => {
      const run = await runToEnd(stack, { prompt: `say nothing TC-ER-5 ${providerId}`, providerId, model });
      expect(run.stored.status).toBe('complete');
      expect(run.stored.error).toBeUndefined();
      expect(run.stored.finish_reason).toBe('stop');
      expect(agentMessages(run.stored)).toEqual([]);
      expect(run.stored.output_items.map((item) => item.origin)).toEqual(['user']);
      expect(run.stored).toEqual(run.hydrated);
      expect(run.events.at(-1)?.type).toBe('response_done');
    },
  );
});

describe('[TC-ER-6] connection to the provider drops mid-stream', () => {
  it.each(providers)(
    '%s: Response error PROVIDER_CONNECTION_LOST, partial items closed',
    async (providerId, model) => {
      const run = await runToEnd(stack, {
        prompt: `drop me TC-ER-6 ${providerId}`,
        providerId,
        model,
        reasoning: 'low',
      });
      expectEndedInError(run, 'PROVIDER_CONNECTION_LOST');
      // how much arrived before the reset is up to the network: whatever did is kept, as a prefix
      for (const item of run.stored.output_items.filter((i) => i.origin === 'agent')) {
        const full = item.type === 'reasoning' ? 'Short thought.' : PARTIAL_TEXT.join('');
        expect(item.type === 'reasoning' || item.type === 'message').toBe(true);
        expect(full.startsWith('content' in item ? item.content : '(none)')).toBe(true);
      }
      const [request] = stack.llm.findRequests({ marker: `TC-ER-6 ${providerId}` });
      expect(await request?.outcome).toBe('dropped');
      // streaming had begun: not retried
      expect(stack.llm.findRequests({ marker: `TC-ER-6 ${providerId}` })).toHaveLength(1);
    },
  );
});
