import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedisTransport } from '@cody/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolWorker } from '../src/tool-worker/index';
import {
  deleteToolKeys,
  eventually,
  processesWith,
  REDIS_URL,
  sandboxEnv,
  sandboxSettings,
  ToolRun,
  uniquePrefix,
  uniqueSleep,
} from './tool-worker-helpers';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const prefix = uniquePrefix('tool-worker-crash');
let transport: RedisTransport;
let workspace: string;
const runs: ToolRun[] = [];
const children: ChildProcess[] = [];
const workers: ToolWorker[] = [];

/** A tool worker in its own process, as a deployment starts it; resolves once it serves. */
async function startChildWorker(): Promise<ChildProcess> {
  // the runtime running this test (Node, or Bun, which ignores --conditions when started as `node`)
  const child = spawn(
    process.execPath,
    ['--conditions=@cody/source', '--import', 'tsx', 'test/tool-worker-child.ts'],
    {
      cwd: packageDir,
      env: {
        PATH: process.env.PATH,
        REDIS_URL,
        CODY_REDIS_PREFIX: prefix,
        CODY_WORKSPACE: workspace,
        ...sandboxEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.on('exit', (code) =>
      reject(new Error(`child worker exited (${code}) before it was ready: ${stderr}`)),
    );
  });
  return child;
}

async function killed(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

// an unusual sleep length, new each run: the command's processes are found by it in /proc
const ORPHAN_MARKER = 90_000 + Math.floor(Math.random() * 9_000);

async function lines(file: string): Promise<string[]> {
  return (await readFile(path.join(workspace, file), 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

beforeAll(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), 'cody-tool-crash-'));
  transport = new RedisTransport({ url: REDIS_URL, prefix });
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const worker of workers) await worker.stop();
  await deleteToolKeys(
    transport.redis,
    prefix,
    runs.map((run) => run.runId),
  );
  await transport?.close();
  await rm(workspace, { recursive: true, force: true });
});

describe('a tool worker stopped or killed while a tool runs', () => {
  it('a worker stopping mid-call leaves the started exec to another worker, which answers it TOOL_INTERRUPTED', async () => {
    const leaving = new ToolWorker({
      transport,
      workspaceRoot: workspace,
      sandbox: sandboxSettings,
      stopGraceMs: 100,
    });
    workers.push(leaving);
    await leaving.start();
    const run = await new ToolRun(transport).start();
    runs.push(run);
    const callId = await run.call('exec', {
      shell: 'echo started >> attempts-stop.log; sleep 1; echo finished',
    });
    await eventually(async () => (await lines('attempts-stop.log')).length === 1);
    await leaving.stop();
    expect(await run.items('function_call_output')).toEqual([]);

    const taking = new ToolWorker({
      transport,
      workspaceRoot: workspace,
      sandbox: sandboxSettings,
      claimIdleMs: 1000,
      tickMs: 200,
    });
    workers.push(taking);
    await taking.start();
    // the command had started: it is not run a second time, the model is told it was interrupted
    expect(await run.output(callId)).toMatchObject({
      success: false,
      output: 'TOOL_INTERRUPTED: exec: the worker running this call stopped; it was not retried',
    });
    expect(await lines('attempts-stop.log')).toEqual(['started']);
    expect((await run.items('function_call_output')).length).toBe(1);
    expect(taking.stats().interrupted).toBe(1);
    await taking.stop();
  });

  it('a reclaimed read-only call that had started runs again; a writing one does not', async () => {
    await writeFile(path.join(workspace, 'read-me.txt'), 'read again\n');
    const run = await new ToolRun(transport).start();
    runs.push(run);
    // calls recorded as started by a worker that died before answering
    const readId = await run.call('readFile', { path: 'read-me.txt' }, { startedBy: 'a-dead-worker' });
    const writeId = await run.call(
      'writeFile',
      { path: 'written.txt', content: 'x' },
      { startedBy: 'a-dead-worker' },
    );
    const taking = new ToolWorker({ transport, workspaceRoot: workspace, claimIdleMs: 1000, tickMs: 200 });
    workers.push(taking);
    await taking.start();
    expect(await run.output(readId)).toMatchObject({ success: true, output: 'read again\n' });
    expect(await run.output(writeId)).toMatchObject({
      success: false,
      output: 'TOOL_INTERRUPTED: writeFile: the worker running this call stopped; it was not retried',
    });
    expect(await readFile(path.join(workspace, 'written.txt'), 'utf8').catch(() => 'absent')).toBe('absent');
    await taking.stop();
  });

  it('a SIGKILLed worker: its command dies with it, the reclaimed exec is answered TOOL_INTERRUPTED, its line written once', async () => {
    const child = await startChildWorker();
    const run = await new ToolRun(transport).start();
    runs.push(run);
    // the command appends its line, then keeps running (and forks) until it is killed
    const callId = await run.call('exec', {
      shell: `echo started >> attempts.log; sleep ${ORPHAN_MARKER} & sleep ${ORPHAN_MARKER}; echo finished`,
    });
    // the child is running the command
    await eventually(async () => (await lines('attempts.log')).length === 1);
    expect(processesWith(String(ORPHAN_MARKER)).length).toBeGreaterThan(0);

    // claimIdleMs well above the child's 1 s keep-alive, so only a dead child loses the request
    const survivor = new ToolWorker({
      transport,
      workspaceRoot: workspace,
      sandbox: sandboxSettings,
      claimIdleMs: 3000,
      tickMs: 200,
    });
    workers.push(survivor);
    await survivor.start();
    await killed(child);

    // the dead worker's commands died with it, its children too
    await eventually(async () => processesWith(String(ORPHAN_MARKER)).length === 0);
    const output = await run.output(callId);
    expect(output).toMatchObject({
      success: false,
      output: 'TOOL_INTERRUPTED: exec: the worker running this call stopped; it was not retried',
    });
    // written at most once: the reclaimed call was not run again
    expect(await lines('attempts.log')).toEqual(['started']);
    expect(survivor.stats().claimed).toBe(1);
    expect(survivor.stats().interrupted).toBe(1);
    expect(processesWith(String(ORPHAN_MARKER))).toEqual([]);
    // exactly once, and nothing left pending or queued
    await eventually(async () => (await transport.redis.xlen(transport.keys.toolRequests)) === 0);
    expect((await run.items('function_call_output')).filter((item) => item.call_id === callId)).toHaveLength(
      1,
    );
    await survivor.stop();
  });

  it('after maxAttempts deliveries the call is answered as failed instead of run again', async () => {
    const child = await startChildWorker();
    const run = await new ToolRun(transport).start();
    runs.push(run);
    const callId = await run.call('exec', { shell: 'echo started >> attempts-2.log; sleep 2' });
    await eventually(async () => (await lines('attempts-2.log')).length === 1);

    const survivor = new ToolWorker({
      transport,
      workspaceRoot: workspace,
      sandbox: sandboxSettings,
      claimIdleMs: 3000,
      tickMs: 200,
      maxAttempts: 1,
    });
    workers.push(survivor);
    await survivor.start();
    await killed(child);

    const output = await run.output(callId);
    expect(output.success).toBe(false);
    expect(output.output).toContain('exec was attempted 1 time and the worker running it stopped');
    expect(await lines('attempts-2.log')).toEqual(['started']);
    expect(survivor.stats().exhausted).toBe(1);
    await eventually(async () => (await transport.redis.xlen(transport.keys.toolRequests)) === 0);
    await survivor.stop();
  });

  it.runIf(sandboxEnv.CODY_EXEC_SANDBOX === undefined)(
    'a SIGKILLed worker leaves no process behind: its sandboxed command dies with it',
    async () => {
      const child = await startChildWorker();
      const run = await new ToolRun(transport).start();
      runs.push(run);
      const marker = uniqueSleep();
      await run.call('exec', {
        shell: `echo started >> orphans.log; sleep ${marker} & setsid sleep ${marker} & sleep ${marker}; echo late >> orphans.log`,
      });
      await eventually(async () => processesWith(marker, 'sleep').length === 3);
      await killed(child);
      await eventually(async () => processesWith(marker).length === 0);
      expect(await lines('orphans.log')).toEqual(['started']);
    },
  );
});
