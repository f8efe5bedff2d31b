import { randomUUID } from 'node:crypto';
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionCallItem, FunctionCallOutputItem } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { agentMessages, itemsOf, recordingData, runToEnd } from './support-runs';

// bytes a tool must hand back unchanged: several lines, UTF-8 beyond ASCII, tabs, a trailing newline
const NOTES = `line one\nzwei: Grüße 👋\n\ttabbed "quoted" \\ backslash\n${randomUUID()}\n`;
const TOKEN = randomUUID();

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    rules: [
      // [TC-HP-3] readFile, then the model answers with what it read
      {
        match: { marker: 'TC-HP-3', step: 1 },
        reply: replies.toolCalls([{ name: 'readFile', arguments: { path: 'notes.txt' } }]),
      },
      {
        match: { marker: 'TC-HP-3', step: 2 },
        reply: (request) =>
          replies.text(`The file says: ${request.stepToolResults[0]?.output ?? '(nothing)'}`),
      },
      // [TC-HP-4] exec of a real command
      {
        match: { marker: 'TC-HP-4', step: 1 },
        reply: replies.toolCalls([
          { name: 'exec', arguments: { shell: 'tr a-z A-Z < token.txt; echo; pwd; echo $((6 * 7))' } },
        ]),
      },
      { match: { marker: 'TC-HP-4', step: 2 }, reply: replies.text('Ran it.') },
      // [TC-HP-5] three calls in one model turn
      {
        match: { marker: 'TC-HP-5-scripted', step: 1 },
        reply: replies.toolCalls([
          { name: 'readFile', arguments: { path: 'a.txt' } },
          { name: 'readFile', arguments: { path: 'b.txt' } },
          { name: 'exec', arguments: { command: ['echo', 'from-exec'] } },
        ]),
      },
      { match: { marker: 'TC-HP-5-scripted', step: 2 }, reply: replies.text('Read both and ran one.') },
      {
        match: { marker: 'TC-HP-5-recording', step: 1 },
        reply: replies.recording('openai-responses/parallel-tool-calls.sse'),
      },
      {
        match: { marker: 'TC-HP-5-recording', step: 2 },
        reply: replies.recording('openai-responses/parallel-tool-calls.step2-text.sse'),
      },
      // [TC-HP-6] a script that calls two tools
      {
        match: { marker: 'TC-HP-6', step: 1 },
        reply: replies.toolCalls([
          {
            name: 'runScript',
            arguments: {
              code: [
                'const a = await tools.readFile({ path: "a.txt" });',
                'const listing = await tools.listDir({ path: "." });',
                'console.log("read", a.length, "chars");',
                'return { a: a.trim(), sawB: listing.includes("b.txt"), sum: 6 * 7 };',
              ].join('\n'),
            },
          },
        ]),
      },
      { match: { marker: 'TC-HP-6', step: 2 }, reply: replies.text('The script ran.') },
      // [TC-ER-3] a tool that fails: the model still answers
      {
        match: { marker: 'TC-ER-3', step: 1 },
        reply: replies.toolCalls([{ name: 'readFile', arguments: { path: 'missing-file.txt' } }]),
      },
      {
        match: { marker: 'TC-ER-3', step: 2 },
        reply: (request) =>
          replies.text(
            request.stepToolResults[0]?.output.includes('ENOENT')
              ? 'That file does not exist.'
              : 'Unexpected tool result.',
          ),
      },
    ],
  });
  writeFileSync(join(stack.workspace, 'notes.txt'), NOTES);
  writeFileSync(join(stack.workspace, 'token.txt'), TOKEN);
  writeFileSync(join(stack.workspace, 'a.txt'), 'content of a\n');
  writeFileSync(join(stack.workspace, 'b.txt'), 'content of b\n');
});
afterAll(() => stack.close());

const providers = [
  ['openai', 'gpt-5-mini'],
  ['anthropic', 'claude-haiku-4.5'],
] as const;

/** Each call and the one output answering it. */
function pairs(calls: FunctionCallItem[], outputs: FunctionCallOutputItem[]) {
  return calls.map((call) => {
    const answers = outputs.filter((output) => output.call_id === call.call_id);
    expect(answers, `outputs for ${call.call_id}`).toHaveLength(1);
    return { call, output: answers[0] as FunctionCallOutputItem };
  });
}

describe('[TC-HP-3] readFile on a real file', () => {
  it.each(providers)(
    '%s: function_call → the file bytes → final message, in one run',
    async (providerId, model) => {
      const run = await runToEnd(stack, {
        prompt: `read notes.txt TC-HP-3 ${providerId}`,
        providerId,
        model,
      });
      expect(run.stored.status).toBe('complete');
      expect(run.stored).toEqual(run.hydrated);
      expect(run.stored.output_items.map((item) => item.type)).toEqual([
        'message',
        'function_call',
        'function_call_output',
        'message',
      ]);
      const [call] = itemsOf(run.stored, 'function_call');
      const [output] = itemsOf(run.stored, 'function_call_output');
      expect(call?.name).toBe('readFile');
      expect(JSON.parse(call?.arguments ?? '{}')).toEqual({ path: 'notes.txt' });
      expect(output).toMatchObject({ call_id: call?.call_id, success: true, output: NOTES });
      expect(Buffer.from(output?.output ?? '', 'utf8').equals(Buffer.from(NOTES, 'utf8'))).toBe(true);
      expect(agentMessages(run.stored).at(-1)?.content).toBe(`The file says: ${NOTES}`);
      // one run: one start, one terminal event
      expect(run.events.filter((e) => e.type === 'response_start')).toHaveLength(1);
      expect(run.events.filter((e) => e.type === 'response_done')).toHaveLength(1);
      expect(run.stored.finish_reason).toBe('stop');
      // the model got the bytes back as the call's result
      const [, second] = stack.llm.findRequests({ marker: `TC-HP-3 ${providerId}` });
      expect(second?.stepToolResults).toEqual([{ callId: call?.call_id, output: NOTES, isError: false }]);
    },
  );
});

describe('[TC-HP-4] exec of a real command', () => {
  it('its real stdout is the output', async () => {
    const run = await runToEnd(stack, {
      prompt: 'run the command TC-HP-4',
      providerId: 'openai',
      model: 'gpt-5-mini',
    });
    expect(run.stored.status).toBe('complete');
    const [output] = itemsOf(run.stored, 'function_call_output');
    expect(output?.success).toBe(true);
    expect(output?.output).toBe(
      `${TOKEN.toUpperCase()}\n${realpathSync(stack.workspace)}\n42\n[exit code 0]`,
    );
    expect(agentMessages(run.stored).at(-1)?.content).toBe('Ran it.');
  });
});

describe('[TC-HP-5] parallel tool calls', () => {
  it.each(providers)('%s: every call gets its own output, matched by call_id', async (providerId, model) => {
    const run = await runToEnd(stack, {
      prompt: `three at once TC-HP-5-scripted ${providerId}`,
      providerId,
      model,
    });
    expect(run.stored.status).toBe('complete');
    const calls = itemsOf(run.stored, 'function_call');
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.call_id)).size).toBe(3);
    const matched = pairs(calls, itemsOf(run.stored, 'function_call_output'));
    const byArgs = Object.fromEntries(matched.map(({ call, output }) => [call.arguments, output]));
    expect(byArgs['{"path":"a.txt"}']).toMatchObject({ success: true, output: 'content of a\n' });
    expect(byArgs['{"path":"b.txt"}']).toMatchObject({ success: true, output: 'content of b\n' });
    expect(byArgs['{"command":["echo","from-exec"]}']).toMatchObject({
      success: true,
      output: 'from-exec\n[exit code 0]',
    });
    // the second model call got all three results, each under its own call id
    const [, second] = stack.llm.findRequests({ marker: `TC-HP-5-scripted ${providerId}` });
    expect(new Map(second?.stepToolResults.map((r) => [r.callId, r.output]))).toEqual(
      new Map(matched.map(({ call, output }) => [call.call_id, output.output])),
    );
    expect(agentMessages(run.stored).at(-1)?.content).toBe('Read both and ran one.');
  });

  it('openai recording: two real parallel calls to tools we do not have are each answered as failed', async () => {
    const run = await runToEnd(stack, {
      prompt: 'math TC-HP-5-recording',
      providerId: 'openai',
      model: 'gpt-5-mini',
    });
    const recorded = recordingData('openai-responses/parallel-tool-calls.sse')
      .filter((f) => f.type === 'response.output_item.done')
      .map((f) => f.item as { call_id: string; name: string });
    expect(run.stored.status).toBe('complete');
    const calls = itemsOf(run.stored, 'function_call');
    expect(calls.map((c) => [c.call_id, c.name])).toEqual(recorded.map((c) => [c.call_id, c.name]));
    for (const { call, output } of pairs(calls, itemsOf(run.stored, 'function_call_output'))) {
      expect(output.success).toBe(false);
      expect(output.output).toContain(call.name);
    }
    const text = recordingData('openai-responses/parallel-tool-calls.step2-text.sse')
      .filter((f) => f.type === 'response.output_text.delta')
      .map((f) => f.delta)
      .join('');
    expect(agentMessages(run.stored).at(-1)?.content).toBe(text);
  });
});

describe('[TC-HP-6] script execution', () => {
  it('a script calling two tools returns JSON in script_execution_output', async () => {
    const run = await runToEnd(stack, {
      prompt: 'script it TC-HP-6',
      providerId: 'anthropic',
      model: 'claude-haiku-4.5',
    });
    expect(run.stored.status).toBe('complete');
    expect(run.stored.output_items.map((item) => item.type)).toEqual([
      'message',
      'function_call',
      'script_execution',
      'script_execution_output',
      'function_call_output',
      'message',
    ]);
    const [call] = itemsOf(run.stored, 'function_call');
    const [script] = itemsOf(run.stored, 'script_execution');
    const [scriptOutput] = itemsOf(run.stored, 'script_execution_output');
    const [output] = itemsOf(run.stored, 'function_call_output');
    expect(call?.name).toBe('runScript');
    expect(script?.code).toBe(JSON.parse(call?.arguments ?? '{}').code);
    expect(scriptOutput?.script_id).toBe(script?.id);
    expect(scriptOutput?.success).toBe(true);
    expect(JSON.parse(scriptOutput?.result ?? 'null')).toEqual({ a: 'content of a', sawB: true, sum: 42 });
    expect(output?.call_id).toBe(call?.call_id);
    expect(output?.success).toBe(true);
    expect(output?.output).toContain('"sum":42');
    expect(output?.output).toContain('read 13 chars');
    expect(agentMessages(run.stored).at(-1)?.content).toBe('The script ran.');
  });
});

describe('[TC-ER-3] a tool fails', () => {
  it.each(providers)(
    '%s: success=false with the real error; the run continues and the model answers',
    async (providerId, model) => {
      const run = await runToEnd(stack, { prompt: `read it TC-ER-3 ${providerId}`, providerId, model });
      expect(run.stored.status).toBe('complete');
      expect(run.stored.error).toBeUndefined();
      const [call] = itemsOf(run.stored, 'function_call');
      const [output] = itemsOf(run.stored, 'function_call_output');
      expect(output?.call_id).toBe(call?.call_id);
      expect(output?.success).toBe(false);
      expect(output?.output).toMatch(/ENOENT/);
      expect(output?.output).toContain('missing-file.txt');
      const [, second] = stack.llm.findRequests({ marker: `TC-ER-3 ${providerId}` });
      // the model is told the call failed: Anthropic with is_error, OpenAI (no such flag) in the text
      expect(second?.stepToolResults[0]?.callId).toBe(call?.call_id);
      expect(second?.stepToolResults[0]?.output).toContain(output?.output);
      if (providerId === 'anthropic') expect(second?.stepToolResults[0]?.isError).toBe(true);
      expect(agentMessages(run.stored).at(-1)?.content).toBe('That file does not exist.');
    },
  );
});
