import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { agentMessages, itemsOf, runToEnd } from './support-runs';

const EXEC_TIMEOUT_MS = 400;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    // the deployment's exec timeout, read by the in-process tool worker
    env: { CODY_EXEC_TIMEOUT_MS: String(EXEC_TIMEOUT_MS) },
    rules: [
      {
        match: { marker: 'TC-ER-4-slow', step: 1 },
        reply: replies.toolCalls([
          { name: 'exec', arguments: { shell: 'echo started; echo $$ > slow.pid; sleep 30; echo never' } },
        ]),
      },
      {
        match: { marker: 'TC-ER-4-slow', step: 2 },
        reply: (request) =>
          replies.text(
            request.stepToolResults[0]?.output.includes('timed out')
              ? 'The command timed out.'
              : 'Unexpected result.',
          ),
      },
      {
        match: { marker: 'TC-ER-4-other', step: 1 },
        reply: replies.toolCalls([{ name: 'readFile', arguments: { path: 'other.txt' } }]),
      },
      { match: { marker: 'TC-ER-4-other', step: 2 }, reply: replies.text('Read the other file.') },
      {
        match: { marker: 'TC-ER-4-after', step: 1 },
        reply: replies.toolCalls([{ name: 'exec', arguments: { command: ['echo', 'still serving'] } }]),
      },
      { match: { marker: 'TC-ER-4-after', step: 2 }, reply: replies.text('Ran the quick one.') },
    ],
  });
  writeFileSync(join(stack.workspace, 'other.txt'), 'the other file\n');
});
afterAll(() => stack.close());

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('[TC-ER-4] a tool times out', () => {
  it('the output says so, the command is killed, and the worker keeps serving other runs', async () => {
    // the slow run and another run at the same time
    const [slow, other] = await Promise.all([
      runToEnd(stack, { prompt: 'run the slow one TC-ER-4-slow', providerId: 'openai', model: 'gpt-5-mini' }),
      runToEnd(stack, {
        prompt: 'read other.txt TC-ER-4-other',
        providerId: 'anthropic',
        model: 'claude-haiku-4.5',
      }),
    ]);

    expect(slow.stored.status).toBe('complete');
    const [output] = itemsOf(slow.stored, 'function_call_output');
    expect(output?.success).toBe(false);
    expect(output?.output).toContain('started\n');
    expect(output?.output).toContain(`timed out after ${EXEC_TIMEOUT_MS} ms`);
    expect(output?.output).not.toContain('never');
    expect(agentMessages(slow.stored).at(-1)?.content).toBe('The command timed out.');
    // the whole process group is gone, not left sleeping
    const pid = Number(readFileSync(join(stack.workspace, 'slow.pid'), 'utf8').trim());
    expect(pid).toBeGreaterThan(0);
    expect(processAlive(pid)).toBe(false);

    expect(other.stored.status).toBe('complete');
    expect(itemsOf(other.stored, 'function_call_output')[0]).toMatchObject({
      success: true,
      output: 'the other file\n',
    });

    // and after the timeout, the same worker runs the next call
    const after = await runToEnd(stack, {
      prompt: 'run the quick one TC-ER-4-after',
      providerId: 'openai',
      model: 'gpt-5-mini',
    });
    expect(after.stored.status).toBe('complete');
    expect(itemsOf(after.stored, 'function_call_output')[0]).toMatchObject({
      success: true,
      output: 'still serving\n[exit code 0]',
    });
    expect(agentMessages(after.stored).at(-1)?.content).toBe('Ran the quick one.');
  });
});
