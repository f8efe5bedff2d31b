import { randomUUID } from 'node:crypto';
import type { OutputItem } from '@cody/schema';
import { replies, startTestLlm, type TestLlm } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  normalizeHistory,
  resolveModel,
  type ToolDeclaration,
  toAnthropicMessages,
  toOpenAIInput,
  UNANSWERED_CALL_OUTPUT,
} from '../src/index';
import { marker, providerFor, runTurn, userMessage } from './support/harness';

let llm: TestLlm;
beforeAll(async () => {
  llm = await startTestLlm({
    fallback: replies.httpError(500, { message: 'history test: no rule matched' }),
  });
});
afterAll(async () => {
  await llm.close();
});

const MODELS = {
  openai: resolveModel('openai', 'gpt-5-mini'),
  anthropic: resolveModel('anthropic', 'claude-haiku-4.5'),
};
const TOOLS: ToolDeclaration[] = [
  {
    name: 'exec',
    description: 'Run a command',
    parameters: { type: 'object', properties: { command: { type: 'string' } } },
  },
];

/** Turn 1: the model runs a command and answers; returns the turn's items as history. */
async function firstTurn(providerId: 'openai' | 'anthropic', tag: string): Promise<OutputItem[]> {
  llm.addRule({
    match: { marker: tag, step: 1 },
    reply: replies.toolCalls([{ name: 'exec', arguments: { command: 'echo hi' } }], { reasoning: 'Run it.' }),
    times: 1,
  });
  llm.addRule({
    match: { marker: tag, step: 2 },
    reply: replies.text('It printed hi.', { reasoning: 'Done.' }),
    times: 1,
  });
  const { response } = await runTurn({
    provider: providerFor(llm, providerId),
    model: MODELS[providerId],
    prompt: `run echo hi ${tag}`,
    tools: TOOLS,
    reasoning: { effort: 'low' },
    tool: async () => ({ output: 'hi\n', success: true }),
  });
  expect(response.status).toBe('complete');
  return response.output_items;
}

describe.each(['openai', 'anthropic'] as const)(
  '%s: a thread’s earlier turn is sent with the next one',
  (providerId) => {
    it('turn 2 carries turn 1: prompt, reasoning, call, output, answer', async () => {
      const tag = marker();
      const history = await firstTurn(providerId, tag);
      llm.addRule({ match: { marker: tag, lastUserText: 'and now?' }, reply: replies.text('Now nothing.') });
      const { response } = await runTurn({
        provider: providerFor(llm, providerId),
        model: MODELS[providerId],
        prompt: 'and now?',
        history,
        tools: TOOLS,
        reasoning: { effort: 'low' },
      });
      expect(response.status).toBe('complete');
      const turn2 = llm.findRequests({ marker: tag }).at(-1);
      const call = history.find((item) => item.type === 'function_call');
      expect(turn2?.lastUserText).toBe('and now?');
      expect(
        turn2?.transcript.map((entry) =>
          entry.kind === 'text' ? `${entry.role}:${entry.text}` : entry.kind,
        ),
      ).toEqual([
        `user:run echo hi ${tag}`,
        'reasoning',
        'tool_call',
        'tool_result',
        'reasoning',
        'assistant:It printed hi.',
        'user:and now?',
      ]);
      expect(turn2?.transcript.find((entry) => entry.kind === 'tool_call')).toMatchObject({
        callId: call?.type === 'function_call' ? call.call_id : '',
        name: 'exec',
        arguments: JSON.stringify({ command: 'echo hi' }),
      });
      expect(turn2?.transcript.find((entry) => entry.kind === 'tool_result')).toMatchObject({
        output: 'hi\n',
        isError: false,
      });
      if (providerId === 'anthropic') {
        const roles = (turn2!.body.messages as { role: string; content: { type: string }[] }[]).map(
          (m) => `${m.role}:${m.content.map((block) => block.type).join('+')}`,
        );
        expect(roles).toEqual([
          'user:text',
          'assistant:thinking+tool_use',
          'user:tool_result',
          'assistant:thinking+text',
          'user:text',
        ]);
      } else {
        const types = (turn2!.body.input as { type: string; role?: string }[]).map(
          (item) => item.role ?? item.type,
        );
        expect(types).toEqual([
          'user',
          'reasoning',
          'function_call',
          'function_call_output',
          'reasoning',
          'assistant',
          'user',
        ]);
      }
    });
  },
);

it('switching providers mid-thread drops the other provider’s reasoning and keeps the tool exchange valid', async () => {
  const tag = marker();
  const history = await firstTurn('openai', tag);
  llm.addRule({ match: { marker: tag, provider: 'anthropic' }, reply: replies.text('Claude here.') });
  const { response } = await runTurn({
    provider: providerFor(llm, 'anthropic'),
    model: MODELS.anthropic,
    prompt: 'who are you?',
    history,
    tools: TOOLS,
  });
  expect(response.status).toBe('complete');
  const sent = llm.findRequests({ marker: tag, provider: 'anthropic' })[0];
  expect(sent?.transcript.some((entry) => entry.kind === 'reasoning')).toBe(false);
  expect(
    sent?.transcript.filter((entry) => entry.kind === 'tool_call' || entry.kind === 'tool_result'),
  ).toHaveLength(2);
});

it.each(['openai', 'anthropic'] as const)(
  '%s: a call left unanswered by a cancelled turn is replayed with a failed output',
  async (providerId) => {
    const tag = marker();
    const callId = providerId === 'openai' ? 'call_cancelled1' : 'toolu_cancelled1';
    const history: OutputItem[] = [
      userMessage(`list files ${tag}`),
      {
        id: randomUUID(),
        type: 'function_call',
        origin: 'agent',
        name: 'exec',
        arguments: '{"command":"ls"}',
        call_id: callId,
      },
    ];
    llm.addRule({ match: { marker: tag }, reply: replies.text('Sorry, that was cancelled.') });
    const { response } = await runTurn({
      provider: providerFor(llm, providerId),
      model: MODELS[providerId],
      prompt: 'try again',
      history,
      tools: TOOLS,
    });
    expect(response.status).toBe('complete');
    const sent = llm.findRequests({ marker: tag })[0];
    const result = sent?.transcript.find((entry) => entry.kind === 'tool_result');
    expect(result).toMatchObject({ callId, isError: providerId === 'anthropic' });
    expect(result?.kind === 'tool_result' && result.output).toContain(UNANSWERED_CALL_OUTPUT);
  },
);

describe('history mapping', () => {
  const id = () => randomUUID();
  it('places outputs after their batch, drops orphans, maps scripts', () => {
    const scriptId = id();
    const items: OutputItem[] = [
      { id: id(), type: 'message', origin: 'user', content: 'go' },
      { id: id(), type: 'function_call', origin: 'agent', name: 'a', arguments: '{}', call_id: 'c1' },
      { id: id(), type: 'message', origin: 'agent', content: 'working on it' },
      {
        id: id(),
        type: 'function_call',
        origin: 'agent',
        name: 'runScript',
        arguments: '{"code":"1"}',
        call_id: 'c2',
      },
      {
        id: id(),
        type: 'function_call_output',
        origin: 'system',
        call_id: 'orphan',
        output: 'x',
        success: true,
      },
      { id: scriptId, type: 'script_execution', origin: 'agent', code: 'return 1', call_id: 'c2' },
      {
        id: id(),
        type: 'script_execution_output',
        origin: 'tool_harness',
        script_id: scriptId,
        result: '1',
        success: true,
      },
      {
        id: id(),
        type: 'function_call_output',
        origin: 'tool_harness',
        call_id: 'c1',
        output: 'A',
        success: true,
      },
      { id: id(), type: 'error', origin: 'system', code: 'X', message: 'ignored' },
      { id: id(), type: 'message', origin: 'agent', content: '   ' },
    ];
    expect(normalizeHistory(items)).toEqual([
      { kind: 'message', role: 'user', text: 'go' },
      { kind: 'call', callId: 'c1', name: 'a', arguments: '{}' },
      { kind: 'message', role: 'assistant', text: 'working on it' },
      { kind: 'call', callId: 'c2', name: 'runScript', arguments: '{"code":"1"}' },
      { kind: 'output', callId: 'c1', output: 'A', success: true },
      { kind: 'output', callId: 'c2', output: '1', success: true },
    ]);
  });

  it('merges consecutive same-role turns for Anthropic and keeps system text out of messages', () => {
    const items: OutputItem[] = [
      { id: id(), type: 'message', origin: 'system', content: 'be brief' },
      { id: id(), type: 'message', origin: 'user', content: 'first' },
      { id: id(), type: 'message', origin: 'user', content: 'second' },
      {
        id: id(),
        type: 'reasoning',
        origin: 'agent',
        content: 'hidden',
        provider_data: { provider: 'openai', encrypted_content: 'enc' },
      },
      {
        id: id(),
        type: 'reasoning',
        origin: 'agent',
        content: '',
        provider_data: { provider: 'anthropic', redacted_data: 'opaque' },
      },
      { id: id(), type: 'message', origin: 'agent', content: 'answer' },
    ];
    expect(toAnthropicMessages(items)).toEqual({
      system: ['be brief'],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'first' },
            { type: 'text', text: 'second' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'answer' },
          ],
        },
      ],
    });
    expect(toOpenAIInput(items)).toEqual([
      { type: 'message', role: 'developer', content: 'be brief' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'first' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'second' }] },
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'hidden' }], encrypted_content: 'enc' },
      { type: 'message', role: 'assistant', content: 'answer' },
    ]);
  });
});
