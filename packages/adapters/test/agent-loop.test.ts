import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES } from '@cody/schema';
import { type RecordedRequest, replies, signThinking, startTestLlm, type TestLlm } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModel, type ToolDeclaration } from '../src/index';
import { agentText, itemsOf, marker, providerFor, runTurn, type ToolFn } from './support/harness';

let llm: TestLlm;
let workspace: string;

beforeAll(async () => {
  llm = await startTestLlm({
    fallback: replies.httpError(500, { message: 'agent-loop test: no rule matched' }),
  });
  workspace = await mkdtemp(join(tmpdir(), 'cody-adapters-'));
});
afterAll(async () => {
  await llm.close();
  await rm(workspace, { recursive: true, force: true });
});

const PROVIDERS = ['openai', 'anthropic'] as const;
const MODELS = {
  openai: resolveModel('openai', 'gpt-5-mini'),
  anthropic: resolveModel('anthropic', 'claude-haiku-4.5'),
};

const TOOLS: ToolDeclaration[] = [
  {
    name: 'readFile',
    description: 'Read a UTF-8 file of the workspace',
    parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
  {
    name: 'listDir',
    description: 'List a directory of the workspace',
    parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
];

/** A small real tool runner: reads files and lists directories under the temp workspace. */
const realTools: ToolFn = async (call) => {
  const { path } = JSON.parse(call.arguments) as { path: string };
  try {
    if (call.name === 'readFile') {
      return { output: await readFile(join(workspace, path), 'utf8'), success: true };
    }
    if (call.name === 'listDir') {
      const { readdir } = await import('node:fs/promises');
      return { output: (await readdir(join(workspace, path))).sort().join('\n'), success: true };
    }
    return { output: `unknown tool ${call.name}`, success: false };
  } catch (error) {
    return { output: (error as Error).message, success: false };
  }
};

function requestsFor(tag: string): RecordedRequest[] {
  return llm.findRequests({ marker: tag });
}

describe.each(PROVIDERS)('%s agent loop', (providerId) => {
  const provider = () => providerFor(llm, providerId);
  const model = MODELS[providerId];

  it('runs a tool loop: reasoning + call → real tool output → final answer, one run', async () => {
    const tag = marker();
    await writeFile(join(workspace, `notes-${providerId}.txt`), `secret ${providerId} content\n`);
    llm.addRule({
      match: { marker: tag, step: 1 },
      reply: replies.toolCalls([{ name: 'readFile', arguments: { path: `notes-${providerId}.txt` } }], {
        reasoning: 'I should read the file first.',
        usage: { input: 100, output: 20, reasoning: 5, cached: 10 },
      }),
    });
    llm.addRule({
      match: { marker: tag, step: 2 },
      reply: (request) =>
        replies.text(`The file says: ${request.stepToolResults[0]?.output.trim()}`, {
          reasoning: 'Now I can answer.',
          usage: { input: 150, output: 30, reasoning: 7 },
        }),
    });

    const { response, toolCalls, loopPayloads, result } = await runTurn({
      provider: provider(),
      model,
      prompt: `What is in the notes? ${tag}`,
      tools: TOOLS,
      reasoning: { effort: 'low' },
      tool: realTools,
    });

    expect(result).toMatchObject({ status: 'complete', steps: 2, finishReason: 'stop' });
    expect(response.status).toBe('complete');
    expect(response.finish_reason).toBe('stop');
    expect(response.output_items.map((item) => item.type)).toEqual([
      'message',
      'reasoning',
      'function_call',
      'function_call_output',
      'reasoning',
      'message',
    ]);
    expect(agentText(response)).toBe(`The file says: secret ${providerId} content`);
    expect(toolCalls).toHaveLength(1);
    const output = itemsOf(response, 'function_call_output')[0];
    expect(output?.output).toBe(`secret ${providerId} content\n`);

    const [first, second] = requestsFor(tag);
    // tools declared in the provider's own format
    if (providerId === 'openai') {
      expect(first?.body.tools).toEqual([
        expect.objectContaining({ type: 'function', name: 'readFile', parameters: TOOLS[0]?.parameters }),
        expect.objectContaining({ type: 'function', name: 'listDir' }),
      ]);
      expect(first?.body).toMatchObject({
        store: false,
        include: ['reasoning.encrypted_content'],
        reasoning: { effort: 'low' },
      });
    } else {
      expect(first?.body.tools).toEqual([
        {
          name: 'readFile',
          description: 'Read a UTF-8 file of the workspace',
          input_schema: TOOLS[0]?.parameters,
        },
        expect.objectContaining({ name: 'listDir' }),
      ]);
      expect(first?.body).toMatchObject({ max_tokens: expect.any(Number), thinking: { type: 'enabled' } });
    }
    // the second call carries the call, its output and the reasoning to continue from
    const call = itemsOf(response, 'function_call')[0];
    expect(second?.stepToolResults).toEqual([
      { callId: call?.call_id, output: `secret ${providerId} content\n`, isError: false },
    ]);
    const sentReasoning = second?.transcript.find((entry) => entry.kind === 'reasoning');
    const reasoning = itemsOf(response, 'reasoning')[0];
    if (providerId === 'anthropic') {
      expect(reasoning?.provider_data?.signature).toBe(signThinking('I should read the file first.'));
      expect(sentReasoning).toMatchObject({
        text: 'I should read the file first.',
        signature: reasoning?.provider_data?.signature,
      });
      const assistant = (second!.body.messages as { role: string; content: { type: string }[] }[])[1];
      expect(assistant?.content.map((block) => block.type)).toEqual(['thinking', 'tool_use']);
    } else {
      expect(sentReasoning).toMatchObject({ encryptedContent: reasoning?.provider_data?.encrypted_content });
    }

    // usage summed over both model calls
    const updates = loopPayloads.flatMap((p) => (p.type === 'usage_update' ? [p.usage] : []));
    const reasoningTokens = providerId === 'openai' ? { reasoning_tokens: 12 } : {};
    expect(updates).toEqual([
      {
        prompt_tokens: 100,
        completion_tokens: 20,
        total_tokens: 120,
        cached_tokens: 10,
        ...(providerId === 'openai' ? { reasoning_tokens: 5 } : {}),
      },
      { prompt_tokens: 250, completion_tokens: 50, total_tokens: 300, cached_tokens: 10, ...reasoningTokens },
    ]);
    expect(response.usage).toEqual(updates[1]);
  });

  it('answers parallel calls, each output matched by call_id', async () => {
    const tag = marker();
    await writeFile(join(workspace, 'a.txt'), 'AAA');
    await writeFile(join(workspace, 'b.txt'), 'BBB');
    llm.addRule({
      match: { marker: tag, step: 1 },
      reply: replies.toolCalls([
        { name: 'readFile', arguments: { path: 'a.txt' } },
        { name: 'readFile', arguments: { path: 'missing.txt' } },
        { name: 'readFile', arguments: { path: 'b.txt' } },
      ]),
    });
    llm.addRule({ match: { marker: tag, step: 2 }, reply: replies.text('done') });
    const { response, toolCalls } = await runTurn({
      provider: provider(),
      model,
      prompt: tag,
      tools: TOOLS,
      tool: realTools,
    });
    expect(response.status).toBe('complete');
    expect(toolCalls[0]).toHaveLength(3);
    const calls = itemsOf(response, 'function_call');
    const outputs = new Map(itemsOf(response, 'function_call_output').map((o) => [o.call_id, o]));
    expect(calls.map((call) => outputs.get(call.call_id)?.output)).toEqual([
      'AAA',
      expect.stringContaining('ENOENT'),
      'BBB',
    ]);
    expect(outputs.get(calls[1]?.call_id as string)?.success).toBe(false);
    const second = requestsFor(tag)[1];
    expect(second?.stepToolResults.map((r) => [r.callId, r.isError])).toEqual(
      calls.map((call, i) => [call.call_id, providerId === 'anthropic' && i === 1]),
    );
  });

  it('stops at the step limit with STEP_LIMIT_REACHED', async () => {
    const tag = marker();
    llm.addRule({
      match: { marker: tag },
      reply: replies.toolCalls([{ name: 'listDir', arguments: { path: '.' } }]),
    });
    const { response, result, toolCalls } = await runTurn({
      provider: provider(),
      model,
      prompt: tag,
      tools: TOOLS,
      maxSteps: 2,
      tool: realTools,
    });
    expect(result.steps).toBe(2);
    expect(toolCalls).toHaveLength(1);
    expect(requestsFor(tag)).toHaveLength(2);
    expect(response.status).toBe('error');
    expect(response.error?.code).toBe(ERROR_CODES.STEP_LIMIT_REACHED);
    expect(response.error?.message).toContain('listDir');
    // the second call's function_call is kept, done, and unanswered
    expect(itemsOf(response, 'function_call')).toHaveLength(2);
    expect(itemsOf(response, 'function_call_output')).toHaveLength(1);
  });

  it('ends an empty model output complete, with no message item', async () => {
    const tag = marker();
    llm.addRule({ match: { marker: tag }, reply: { kind: 'turn', parts: [] } });
    const { response } = await runTurn({ provider: provider(), model, prompt: tag });
    expect(response.status).toBe('complete');
    expect(response.finish_reason).toBe('stop');
    expect(response.output_items.map((item) => item.origin)).toEqual(['user']);
  });

  it('keeps 1000 tiny deltas sent without delay, in order', async () => {
    const tag = marker();
    const pieces = Array.from({ length: 1000 }, (_, i) => String.fromCharCode(33 + (i % 90)));
    llm.addRule({ match: { marker: tag }, reply: replies.text(pieces) });
    const { response, loopPayloads } = await runTurn({ provider: provider(), model, prompt: tag });
    const deltas = loopPayloads.filter((p) => p.type === 'item_delta');
    expect(deltas).toHaveLength(1000);
    expect(deltas.map((p) => (p.type === 'item_delta' ? p.delta_content : ''))).toEqual(pieces);
    expect(agentText(response)).toBe(pieces.join(''));
  });

  it('ignores unknown events', async () => {
    const tag = marker();
    const unknown =
      providerId === 'openai'
        ? [
            {
              afterEvents: 2,
              event: 'response.future_feature.delta',
              data: { type: 'response.future_feature.delta', delta: 'x' },
            },
            { afterEvents: 3, event: 'keepalive', data: { type: 'keepalive' } },
          ]
        : [
            {
              afterEvents: 1,
              event: 'content_block_start',
              data: {
                type: 'content_block_start',
                index: 9,
                content_block: { type: 'mystery_block', payload: 1 },
              },
            },
            {
              afterEvents: 2,
              event: 'content_block_delta',
              data: { type: 'content_block_delta', index: 9, delta: { type: 'mystery_delta', x: 1 } },
            },
            { afterEvents: 3, event: 'content_block_stop', data: { type: 'content_block_stop', index: 9 } },
            { afterEvents: 4, event: 'future_event', data: { type: 'future_event', anything: [1, 2] } },
          ];
    llm.addRule({ match: { marker: tag }, reply: { ...replies.text('still fine'), inject: unknown } });
    const { response } = await runTurn({ provider: provider(), model, prompt: tag });
    expect(response.status).toBe('complete');
    expect(agentText(response)).toBe('still fine');
  });

  it.each([
    ['length', 'length'],
    ['content_filter', 'content_filter'],
  ] as const)('normalises a %s finish', async (finish, expected) => {
    const tag = marker();
    llm.addRule({ match: { marker: tag }, reply: replies.text('cut sho', { finish }) });
    const { response } = await runTurn({ provider: provider(), model, prompt: tag });
    expect(response.status).toBe('complete');
    expect(response.finish_reason).toBe(expected);
  });
});
