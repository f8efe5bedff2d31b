import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { processesWith, uniqueSleep } from './support-processes';
import { agentMessages, itemsOf, runToEnd } from './support-runs';

const EXEC_TIMEOUT_MS = 400;

// the slow command's sleep, found on the host by its unique duration (exec has its own PID namespace)
const SLOW_SLEEP = uniqueSleep();
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    // the deployment's exec timeout, read by the in-process tool worker
    env: { CODY_EXEC_TIMEOUT_MS: String(EXEC_TIMEOUT_MS) },
    rules: [
      {
        match: { marker: 'TC-ER-4-slow', step: 1 },
        reply: replies.toolCalls([
          { name: 'exec', arguments: { shell: `echo started; sleep ${SLOW_SLEEP}; echo never` } },
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
    expect(processesWith(SLOW_SLEEP)).toEqual([]);

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
