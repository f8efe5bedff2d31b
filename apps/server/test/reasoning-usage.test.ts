import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replies, signThinking } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { agentMessages, itemsOf, recordingData, runToEnd } from './support-runs';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    rules: [
      {
        match: { marker: 'TC-HP-2-scripted' },
        reply: replies.text('The answer is 42.', {
          reasoning: ['Thinking about the question.', 'It is 42.'],
        }),
      },
      {
        match: { marker: 'TC-HP-2-tool', step: 1 },
        reply: replies.toolCalls([{ name: 'listDir', arguments: { path: '.' } }], {
          reasoning: 'I should look at the workspace first.',
        }),
      },
      { match: { marker: 'TC-HP-2-tool', step: 2 }, reply: replies.text('The workspace holds notes.txt.') },
      {
        match: { marker: 'TC-HP-2-recording', provider: 'openai' },
        reply: replies.recording('openai-responses/reasoning-summary-text.sse'),
      },
      {
        match: { marker: 'TC-HP-2-recording', provider: 'anthropic' },
        reply: replies.recording('anthropic-messages/thinking-with-signature.sse'),
      },
      {
        match: { marker: 'TC-HP-9-single' },
        reply: replies.text('Counted.', { usage: { input: 120, output: 30, reasoning: 10, cached: 20 } }),
      },
      {
        match: { marker: 'TC-HP-9-steps', step: 1 },
        reply: replies.toolCalls([{ name: 'listDir', arguments: { path: '.' } }], {
          usage: { input: 100, output: 10, cached: 0 },
        }),
      },
      {
        match: { marker: 'TC-HP-9-steps', step: 2 },
        reply: replies.text('Done.', { usage: { input: 200, output: 20, cached: 50 } }),
      },
    ],
  });
  writeFileSync(join(stack.workspace, 'notes.txt'), 'notes\n');
});
afterAll(() => stack.close());

const providers = [
  ['openai', 'gpt-5-mini'],
  ['anthropic', 'claude-haiku-4.5'],
] as const;

describe('[TC-HP-2] reasoning', () => {
  it.each(providers)(
    '%s: a reasoning item comes before the message and keeps its provider data',
    async (providerId, model) => {
      const run = await runToEnd(stack, {
        prompt: 'What is the answer? TC-HP-2-scripted',
        providerId,
        model,
        reasoning: 'low',
      });
      expect(run.stored.status).toBe('complete');
      expect(run.stored).toEqual(run.hydrated);
      expect(run.stored.output_items.map((item) => [item.type, item.origin])).toEqual([
        ['message', 'user'],
        ['reasoning', 'agent'],
        ['message', 'agent'],
      ]);
      const [reasoning] = itemsOf(run.stored, 'reasoning');
      expect(reasoning?.content).toBe('Thinking about the question.\n\nIt is 42.');
      expect(agentMessages(run.stored)[0]?.content).toBe('The answer is 42.');
      if (providerId === 'openai') {
        expect(reasoning?.provider_data).toMatchObject({
          provider: 'openai',
          encrypted_content: expect.stringMatching(/^gAAAAB/),
        });
      } else {
        // the test LLM signs the thinking text: the stored signature must be the one it sent
        expect(reasoning?.provider_data).toMatchObject({
          provider: 'anthropic',
          signature: signThinking(reasoning?.content ?? ''),
        });
      }
      // on the stream, the reasoning item starts (and ends) before the message starts
      const starts = run.events.flatMap((e) =>
        e.payload.type === 'item_start' ? [e.payload.item_type] : [],
      );
      expect(starts).toEqual(['message', 'reasoning', 'message']);
    },
  );

  it.each(providers)(
    '%s: the provider data is sent back on the next model call of the run',
    async (providerId, model) => {
      const marker = `TC-HP-2-tool-${providerId}`;
      const run = await runToEnd(stack, {
        prompt: `Look around. TC-HP-2-tool ${marker}`,
        providerId,
        model,
        reasoning: 'low',
      });
      expect(run.stored.status).toBe('complete');
      const [reasoning] = itemsOf(run.stored, 'reasoning');
      expect(reasoning?.content).toBe('I should look at the workspace first.');
      const data = reasoning?.provider_data as Record<string, unknown> | undefined;

      const [, second] = stack.llm.findRequests({ marker });
      expect(second?.step).toBe(2);
      expect(second?.status).toBe(200);
      const sentBack = second?.transcript.find((entry) => entry.kind === 'reasoning');
      if (providerId === 'openai') {
        expect(data?.encrypted_content).toEqual(expect.any(String));
        expect(sentBack).toMatchObject({ kind: 'reasoning', encryptedContent: data?.encrypted_content });
      } else {
        expect(sentBack).toMatchObject({
          kind: 'reasoning',
          text: reasoning?.content,
          signature: data?.signature,
        });
      }
      expect(agentMessages(run.stored).at(-1)?.content).toBe('The workspace holds notes.txt.');
    },
  );

  it('openai recording: the summary text and encrypted_content of a real stream are kept', async () => {
    const run = await runToEnd(stack, {
      prompt: 'Think TC-HP-2-recording',
      providerId: 'openai',
      model: 'gpt-5-mini',
    });
    const frames = recordingData('openai-responses/reasoning-summary-text.sse');
    const done = frames.find(
      (f) => f.type === 'response.output_item.done' && (f.item as { type: string }).type === 'reasoning',
    );
    const item = done?.item as { encrypted_content: string; summary: { text: string }[] };
    expect(run.stored.status).toBe('complete');
    const [reasoning] = itemsOf(run.stored, 'reasoning');
    expect(reasoning?.content).toBe(item.summary.map((part) => part.text).join('\n\n'));
    expect(reasoning?.provider_data).toMatchObject({
      provider: 'openai',
      encrypted_content: item.encrypted_content,
    });
    const text = frames
      .filter((f) => f.type === 'response.output_text.delta')
      .map((f) => f.delta)
      .join('');
    expect(agentMessages(run.stored)[0]?.content).toBe(text);
    expect(run.stored.output_items.map((i) => i.type)).toEqual(['message', 'reasoning', 'message']);
  });

  it('anthropic recording: the thinking text and signature of a real stream are kept', async () => {
    const run = await runToEnd(stack, {
      prompt: 'Think TC-HP-2-recording',
      providerId: 'anthropic',
      model: 'claude-haiku-4.5',
      reasoning: 'low',
    });
    const deltas = recordingData('anthropic-messages/thinking-with-signature.sse')
      .filter((f) => f.type === 'content_block_delta')
      .map((f) => f.delta as { type: string; thinking?: string; signature?: string; text?: string });
    expect(run.stored.status).toBe('complete');
    const [reasoning] = itemsOf(run.stored, 'reasoning');
    expect(reasoning?.content).toBe(deltas.map((d) => d.thinking ?? '').join(''));
    expect(reasoning?.provider_data).toMatchObject({
      provider: 'anthropic',
      signature: deltas.map((d) => d.signature ?? '').join(''),
    });
    expect(agentMessages(run.stored)[0]?.content).toBe(deltas.map((d) => d.text ?? '').join(''));
    expect(run.stored.output_items.map((i) => i.type)).toEqual(['message', 'reasoning', 'message']);
  });
});

describe('[TC-HP-9] usage', () => {
  it.each([
    [
      'openai',
      'gpt-5-mini',
      {
        prompt_tokens: 120,
        completion_tokens: 30,
        total_tokens: 150,
        reasoning_tokens: 10,
        cached_tokens: 20,
      },
    ],
    // Anthropic's input_tokens leave out cache reads: the prompt is their sum
    [
      'anthropic',
      'claude-haiku-4.5',
      { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, cached_tokens: 20 },
    ],
  ] as const)(
    '%s: the provider usage is on the Response, the stream and the snapshot',
    async (providerId, model, usage) => {
      const run = await runToEnd(stack, { prompt: 'count TC-HP-9-single', providerId, model });
      expect(run.stored.status).toBe('complete');
      expect(run.stored.usage).toEqual(usage);
      expect(run.hydrated?.usage).toEqual(usage);
      const done = run.events.find((e) => e.payload.type === 'response_done');
      expect(done?.payload).toMatchObject({ usage });
      expect(run.events.some((e) => e.payload.type === 'usage_update')).toBe(true);
    },
  );

  it.each(providers)('%s: a run of two model calls reports their sum', async (providerId, model) => {
    const run = await runToEnd(stack, { prompt: 'two steps TC-HP-9-steps', providerId, model });
    expect(run.stored.status).toBe('complete');
    expect(run.stored.usage).toMatchObject({
      prompt_tokens: 300,
      completion_tokens: 30,
      total_tokens: 330,
      cached_tokens: 50,
    });
  });

  it('anthropic recording: the usage of a real stream', async () => {
    const run = await runToEnd(stack, {
      prompt: 'Think TC-HP-2-recording',
      providerId: 'anthropic',
      model: 'claude-haiku-4.5',
    });
    // message_start: input 46, no cache; message_delta: output 84
    expect(run.stored.usage).toMatchObject({ prompt_tokens: 46, completion_tokens: 84, total_tokens: 130 });
  });
});
