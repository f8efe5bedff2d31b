// [TC-CR-2] A worker SIGKILLed while its tool runs: the server runs API-only
// (CODY_WORKERS=none) and two standalone workers (packages/workers/src/bin/worker.ts: the
// persistence worker and the tool worker) do the work. The other worker takes the call over
// (after the tool worker's 5 s claim time): the exec had started, so it is not run again
// (at most once for tools with side effects) but answered TOOL_INTERRUPTED, or, past
// CODY_TOOL_MAX_ATTEMPTS, answered failed: never lost, answered exactly once, the run finishes,
// and the dead worker's command died with it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

// an unusual sleep length, new each run: the command's processes are found by it in /proc
const SLEEP = 90_000 + Math.floor(Math.random() * 9_000);
// each attempt appends a line, then works (in a child of its own too) until it is killed
const command = (name: string) =>
  `echo attempt >> ${name}.log; sleep ${SLEEP} & sleep ${SLEEP}; echo finished-${name}`;

/** Pids of the test command's processes still alive (Linux /proc). */
function commandProcesses(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(String(SLEEP)))
        pids.push(Number(name));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

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
  it('the other worker answers the started exec TOOL_INTERRUPTED instead of running it again; no orphan remains', async () => {
    await startWorkers(3);
    const { runId } = await stack.submit({ prompt: 'run the command CR2-RETRY' });
    await waitFor('the command to run', () => commandProcesses().length > 0);
    const victim = await killTheRunningWorker('retry');
    // the dead worker's command (and its child) died with it
    await waitFor("the dead worker's command to die", () => commandProcesses().length === 0);
    const { stored, outputs, callId } = await finishedRun(runId);

    expect(stored.status).toBe('complete');
    // the line was written once: the reclaimed call was not executed again ...
    expect(attempts('retry')).toBe(1);
    // ... and answered exactly once, saying why
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toMatchObject({
      call_id: callId,
      success: false,
      output: 'TOOL_INTERRUPTED: exec: the worker running this call stopped; it was not retried',
    });
    const [followUp] = stack.llm.findRequests({ marker: 'CR2-RETRY', step: 2 });
    // the model is told, and decides
    expect(followUp?.stepToolResults).toEqual([
      expect.objectContaining({ callId, output: expect.stringContaining('TOOL_INTERRUPTED') }),
    ]);
    expect(stored.output_items.at(-1)).toMatchObject({
      type: 'message',
      content: 'the model read the tool result',
    });
    const survivor = workers.find((worker) => worker !== victim);
    expect(survivor?.output()).toContain('claimed a tool request from a dead worker');
    expect(commandProcesses()).toEqual([]);
    await nothingPending();
  });

  it('past the attempt limit the call is answered failed instead of run again; the run still completes', async () => {
    await startWorkers(1);
    const { runId } = await stack.submit({ prompt: 'run the command CR2-FAIL' });
    await killTheRunningWorker('fail');
    const { stored, outputs, callId } = await finishedRun(runId);
    await waitFor("the dead worker's command to die", () => commandProcesses().length === 0);

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
