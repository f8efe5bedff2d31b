// [TC-CR-2] A worker SIGKILLed while its tool runs: the server runs API-only
// (CODY_WORKERS=none) and two standalone workers (packages/workers/src/bin/worker.ts: the
// persistence worker and the tool worker) do the work. The other worker takes the call over
// (after the tool worker's 5 s claim time) and retries it, or, past CODY_TOOL_MAX_ATTEMPTS,
// answers it failed: never lost, answered exactly once, and the run finishes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRedisKeys, TOOL_WORKER_GROUP } from '@cody/redis';
import type { FunctionCallOutputItem } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { events, hydrate, REDIS_URL, type Stack, startStack } from './harness';
import {
  readSseStream,
  startWorkerChild,
  type WorkerChild,
  waitFor,
  waitForTerminalRun,
} from './support-stream-helpers';

// each attempt appends a line, works a while, then prints its marker
const command = (name: string) => `echo attempt >> ${name}.log; sleep 2; echo finished-${name}`;

let stack: Stack;
let workers: WorkerChild[] = [];
beforeAll(async () => {
  stack = await startStack({
    env: { CODY_WORKERS: 'none' },
    rules: [
      {
        match: { marker: 'CR2-RETRY', step: 1 },
        reply: replies.toolCalls([{ name: 'exec', arguments: { shell: command('retry') } }]),
      },
      {
        match: { marker: 'CR2-FAIL', step: 1 },
        reply: replies.toolCalls([{ name: 'exec', arguments: { shell: command('fail') } }]),
      },
      { match: { step: 2 }, reply: replies.text('the model read the tool result') },
    ],
  });
});
afterEach(async () => {
  await Promise.all(workers.map((worker) => worker.kill()));
  workers = [];
});
afterAll(() => stack.close());

async function startWorkers(maxAttempts: number): Promise<void> {
  const env = {
    REDIS_URL,
    CODY_REDIS_PREFIX: stack.prefix,
    CODY_WORKSPACE: stack.workspace,
    CODY_TOOL_MAX_ATTEMPTS: String(maxAttempts),
    // the dead worker's runs are taken over after 1 s (its tool requests after the fixed 5 s)
    CODY_PERSISTENCE_CLAIM_IDLE_MS: '1000',
  };
  workers = await Promise.all([startWorkerChild(env), startWorkerChild(env)]);
}

const attempts = (name: string) => {
  const file = join(stack.workspace, `${name}.log`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
};

/** Waits until the tool runs, then SIGKILLs the tool worker running it. */
async function killTheRunningWorker(name: string): Promise<WorkerChild> {
  await waitFor('the tool to start', () => attempts(name) === 1);
  const keys = createRedisKeys(stack.prefix);
  const [[, consumer] = []] = (await stack.redis.xpending(
    keys.toolRequests,
    TOOL_WORKER_GROUP,
    '-',
    '+',
    10,
  )) as [string, string][];
  const victim = workers.find((worker) => worker.owns(consumer ?? ''));
  if (!victim) throw new Error(`no tool worker holds the request (pending for ${consumer})`);
  await victim.kill();
  return victim;
}

async function finishedRun(runId: string) {
  const stored = await waitForTerminalRun(stack, runId);
  const messages = await readSseStream(stack.baseUrl, runId);
  expect(stored).toEqual(hydrate(messages));
  const outputs = events(messages).flatMap((e) =>
    e.payload.type === 'item_done' && e.payload.final_item.type === 'function_call_output'
      ? [e.payload.final_item]
      : [],
  ) as FunctionCallOutputItem[];
  const call = stored.output_items.find((item) => item.type === 'function_call');
  return { stored, outputs, callId: call?.type === 'function_call' ? call.call_id : undefined };
}

async function nothingPending(): Promise<void> {
  const keys = createRedisKeys(stack.prefix);
  await waitFor('tool requests acked', async () => {
    const pending = (await stack.redis.xpending(keys.toolRequests, TOOL_WORKER_GROUP)) as [number];
    return pending[0] === 0;
  });
}

describe('[TC-CR-2] tool worker killed while a tool runs', () => {
  it('the other worker retries the call; it is answered once and the run completes', async () => {
    await startWorkers(3);
    const { runId } = await stack.submit({ prompt: 'run the command CR2-RETRY' });
    const victim = await killTheRunningWorker('retry');
    const { stored, outputs, callId } = await finishedRun(runId);

    expect(stored.status).toBe('complete');
    // executed again by the survivor (at-least-once execution) ...
    expect(attempts('retry')).toBe(2);
    // ... and answered exactly once, with the retry's real output
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toMatchObject({ call_id: callId, success: true });
    expect(outputs[0]?.output).toContain('finished-retry');
    const [followUp] = stack.llm.findRequests({ marker: 'CR2-RETRY', step: 2 });
    expect(followUp?.stepToolResults).toEqual([expect.objectContaining({ callId, isError: false })]);
    expect(stored.output_items.at(-1)).toMatchObject({
      type: 'message',
      content: 'the model read the tool result',
    });
    const survivor = workers.find((worker) => worker !== victim);
    expect(survivor?.output()).toContain('claimed a tool request from a dead worker');
    await nothingPending();
  });

  it('past the attempt limit the call is answered failed instead of run again; the run still completes', async () => {
    await startWorkers(1);
    const { runId } = await stack.submit({ prompt: 'run the command CR2-FAIL' });
    await killTheRunningWorker('fail');
    const { stored, outputs, callId } = await finishedRun(runId);

    expect(stored.status).toBe('complete');
    expect(attempts('fail')).toBe(1);
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toMatchObject({ call_id: callId, success: false });
    expect(outputs[0]?.output).toMatch(/attempted 1 time/);
    const [followUp] = stack.llm.findRequests({ marker: 'CR2-FAIL', step: 2 });
    expect(followUp?.stepToolResults).toHaveLength(1);
    expect(followUp?.stepToolResults[0]?.callId).toBe(callId);
    await nothingPending();
  });
});
