import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { agentMessages, runToEnd } from './support-runs';

const providers = [
  ['openai', 'gpt-5-mini'],
  ['anthropic', 'claude-haiku-4.5'],
] as const;

// ≥ 1 MiB in 600 deltas: multi-byte UTF-8, characters JSON must escape, line breaks
const LARGE_DELTAS = Array.from({ length: 600 }, (_, i) => {
  const head = `[${String(i).padStart(3, '0')}] Grüße 👋 "quoted" \\ back\\slash 漢字 tab\t`;
  return `${head}${'x'.repeat(1800 - Buffer.byteLength(head))}\n`;
});
const LARGE_TEXT = LARGE_DELTAS.join('');
// 1000 deltas of 1–4 characters
const TINY_DELTAS = Array.from({ length: 1000 }, (_, i) => `${i % 10 === 0 ? '|' : ''}${i}`.slice(-4));

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    rules: [
      { match: { marker: 'TC-ER-7' }, reply: replies.text(LARGE_DELTAS, { delayMs: 0 }) },
      { match: { marker: 'TC-ER-8' }, reply: replies.text(TINY_DELTAS, { delayMs: 0 }) },
    ],
  });
});
afterAll(() => stack.close());

/** The delta texts of the agent's message, in stream order. */
function messageDeltas(run: Awaited<ReturnType<typeof runToEnd>>): string[] {
  const id = agentMessages(run.stored)[0]?.id;
  return run.events.flatMap((e) =>
    e.payload.type === 'item_delta' && e.payload.item_id === id ? [e.payload.delta_content] : [],
  );
}

describe('[TC-ER-7] large response', () => {
  it('the text is over 1 MiB and cut in at least 500 deltas', () => {
    expect(Buffer.byteLength(LARGE_TEXT)).toBeGreaterThanOrEqual(1024 * 1024);
    expect(LARGE_DELTAS.length).toBeGreaterThanOrEqual(500);
  });

  it.each(providers)(
    '%s: ≥ 1 MiB in ≥ 500 deltas arrives and persists byte-exact',
    async (providerId, model) => {
      const run = await runToEnd(stack, { prompt: `write a lot TC-ER-7 ${providerId}`, providerId, model });
      expect(run.stored.status).toBe('complete');
      expect(messageDeltas(run)).toEqual(LARGE_DELTAS);
      const stored = agentMessages(run.stored)[0]?.content ?? '';
      expect(Buffer.from(stored, 'utf8').equals(Buffer.from(LARGE_TEXT, 'utf8'))).toBe(true);
      expect(agentMessages(run.hydrated ?? run.stored)[0]?.content === LARGE_TEXT).toBe(true);
      expect(run.stored).toEqual(run.hydrated);
    },
  );
});

describe('[TC-ER-8] rapid stream', () => {
  it.each(providers)(
    '%s: 1000 tiny deltas with no delay: none dropped, order kept',
    async (providerId, model) => {
      const run = await runToEnd(stack, { prompt: `many tiny TC-ER-8 ${providerId}`, providerId, model });
      expect(run.stored.status).toBe('complete');
      expect(messageDeltas(run)).toEqual(TINY_DELTAS);
      expect(agentMessages(run.stored)[0]?.content).toBe(TINY_DELTAS.join(''));
      expect(run.stored).toEqual(run.hydrated);
      // a second reader of the finished run sees the same deltas in the same order
      const again = await stack.readStream(run.runId);
      const id = agentMessages(run.stored)[0]?.id;
      const deltas = again
        .map((m) => JSON.parse(m.data))
        .filter((e) => e.type === 'item_delta' && e.payload.item_id === id)
        .map((e) => e.payload.delta_content);
      expect(deltas).toEqual(TINY_DELTAS);
    },
  );
});
