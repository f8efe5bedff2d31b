import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, hydrate, type Stack, startStack, withoutHeartbeats } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    rules: [
      {
        match: { marker: 'TC-HP-1', provider: 'openai' },
        reply: replies.text(['Hello', ' from', ' OpenAI']),
      },
      {
        match: { marker: 'TC-HP-1', provider: 'anthropic' },
        reply: replies.text(['Hello', ' from', ' Anthropic']),
      },
    ],
  });
});
afterAll(() => stack.close());

describe('[TC-HP-1] simple message', () => {
  it.each([
    ['openai', 'gpt-5-mini', 'Hello from OpenAI'],
    ['anthropic', 'claude-haiku-4.5', 'Hello from Anthropic'],
  ])(
    '%s: ordered lifecycle, and the stored snapshot equals the hydrated one',
    async (providerId, model, text) => {
      const { runId } = await stack.submit({ prompt: 'say hello TC-HP-1', providerId, model });
      const messages = withoutHeartbeats(await stack.readStream(runId));
      const types = events(messages).map((e) => e.type);
      expect(types[0]).toBe('response_start');
      expect(types.at(-1)).toBe('response_done');
      const agentItem = events(messages).find((e) => e.type === 'item_start' && e.payload.origin !== 'user');
      const itemId = agentItem?.type === 'item_start' ? agentItem.payload.item_id : '';
      const ofItem = events(messages)
        .filter((e) => 'item_id' in e.payload && e.payload.item_id === itemId)
        .map((e) => e.type);
      expect(ofItem[0]).toBe('item_start');
      expect(ofItem.at(-1)).toBe('item_done');
      expect(ofItem.slice(1, -1).every((t) => t === 'item_delta')).toBe(true);

      const hydrated = hydrate(messages);
      const stored = await stack.waitForRun(runId);
      expect(stored).toEqual(hydrated);
      expect(stored.status).toBe('complete');
      expect(stored.output_items.map((i) => [i.type, 'content' in i ? i.content : ''])).toEqual([
        ['message', 'say hello TC-HP-1'],
        ['message', text],
      ]);
    },
  );
});
