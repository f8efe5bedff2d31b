import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RedisTransport } from '@cody/redis';
import { reduceEvents } from '@cody/reducer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerToolCall, functionCallOutputPayloads, ToolWorker } from '../src/tool-worker/index';
import {
  deleteToolKeys,
  eventually,
  processesWith,
  REDIS_URL,
  sandboxSettings,
  ToolRun,
  uniquePrefix,
  uniqueSleep,
} from './tool-worker-helpers';

const prefix = uniquePrefix('tool-worker');
let transport: RedisTransport;
let worker: ToolWorker;
let workspace: string;
const runs: ToolRun[] = [];

async function newRun(): Promise<ToolRun> {
  const run = await new ToolRun(transport).start();
  runs.push(run);
  return run;
}

beforeAll(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), 'cody-tool-worker-'));
  await writeFile(path.join(workspace, 'hello.txt'), 'Hello from a real file.\nSecond line ✓\n');
  await mkdir(path.join(workspace, 'data'));
  for (let i = 0; i < 5; i++)
    await writeFile(path.join(workspace, 'data', `f${i}.txt`), `content of file ${i}\n`);
  transport = new RedisTransport({ url: REDIS_URL, prefix });
  worker = new ToolWorker({
    transport,
    workspaceRoot: workspace,
    concurrency: 4,
    // far above any honest run on a busy machine; the limits' own tests live in @cody/tools
    limits: { scriptTimeoutMs: 120_000 },
    sandbox: sandboxSettings,
  });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await deleteToolKeys(
    transport.redis,
    prefix,
    runs.map((run) => run.runId),
  );
  await transport?.close();
  await rm(workspace, { recursive: true, force: true });
});

describe('tool worker', () => {
  it('answers readFile with the real file bytes, as a valid function_call_output', async () => {
    const run = await newRun();
    const callId = await run.call('readFile', { path: 'hello.txt' });
    const output = await run.output(callId);
    expect(output).toMatchObject({
      type: 'function_call_output',
      origin: 'tool_harness',
      call_id: callId,
      success: true,
      output: 'Hello from a real file.\nSecond line ✓\n',
    });
    // the stream stays valid for the reducer: start, items, no sequence error
    const response = reduceEvents(await run.events());
    expect(response?.status).toBe('in_progress');
    expect(response?.output_items.map((item) => item.type)).toEqual([
      'function_call',
      'function_call_output',
    ]);
    // acked and deleted once answered: nothing left pending
    await eventually(
      async () =>
        (
          (await transport.redis.call('XPENDING', transport.keys.toolRequests, 'codex-tool-workers')) as [
            number,
          ]
        )[0] === 0,
    );
  });

  it('answers exec with the command’s real stdout', async () => {
    const run = await newRun();
    const callId = await run.call('exec', {
      command: ['sh', '-c', 'echo "out: $(cat hello.txt | wc -l) lines"'],
    });
    expect(await run.output(callId)).toMatchObject({ success: true, output: 'out: 2 lines\n[exit code 0]' });
  });

  it('a failing tool is success:false with the real error', async () => {
    const run = await newRun();
    const callId = await run.call('readFile', { path: 'missing.txt' });
    const output = await run.output(callId);
    expect(output.success).toBe(false);
    expect(output.output).toMatch(/^ENOENT: no such file or directory, open '.*missing\.txt'$/);
  });

  it('bad arguments and unknown tools are answered, naming the problem', async () => {
    const run = await newRun();
    const wrongField = await run.call('readFile', { filePath: 'hello.txt' });
    const unknown = await run.call('read_file', { path: 'hello.txt' });
    const notJson = await run.call('readFile', '{"path": ');
    expect((await run.output(wrongField)).output).toContain('Invalid arguments for readFile');
    expect((await run.output(wrongField)).output).toContain('path: Required');
    expect((await run.output(unknown)).output).toContain('Unknown tool "read_file"');
    expect((await run.output(notJson)).output).toContain('not valid JSON');
  });

  it('a timeout says so, and the worker keeps serving other calls meanwhile', async () => {
    const slowRun = await newRun();
    const otherRun = await newRun();
    const timedRun = await newRun();
    // runs until cancelled: the quick call is answered while it certainly still runs
    const slow = await slowRun.call('exec', {
      shell: 'echo begun; touch slow-started; sleep 120',
      timeoutMs: 600_000,
    });
    // cancelled only once it has begun (starting the sandbox takes a while on a busy machine)
    await eventually(
      async () => (await readFile(path.join(workspace, 'slow-started')).catch(() => null)) !== null,
    );
    const quick = await otherRun.call('readFile', { path: 'hello.txt' });
    const quickOutput = await otherRun.output(quick);
    expect(quickOutput.success).toBe(true);
    expect((await slowRun.items('function_call_output')).length).toBe(0);
    await transport.cancels.request(slowRun.runId);
    expect((await slowRun.output(slow)).output).toBe('begun\n[cancelled: the process group was killed]');
    // the limit itself: the outcome, not the time it took
    const timed = await timedRun.call('exec', { shell: 'echo begun; sleep 120', timeoutMs: 500 });
    // (whether `begun` made it out before the limit depends on how fast the sandbox started)
    const timedOutput = await timedRun.output(timed);
    expect(timedOutput.success).toBe(false);
    expect(timedOutput.output).toMatch(
      /^(begun\n)?\[timed out after 500 ms: the process group was killed\]$/,
    );
  });

  it('parallel calls are each answered once, matched by call_id', async () => {
    const run = await newRun();
    const callIds = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        i % 2 === 0
          ? run.call('readFile', { path: `data/f${i}.txt` })
          : run.call('exec', { command: ['cat', `data/f${i}.txt`] }),
      ),
    );
    for (const [i, callId] of callIds.entries()) {
      const output = await run.output(callId);
      expect(output.success).toBe(true);
      expect(output.output).toContain(`content of file ${i}\n`);
    }
    const outputs = await run.items('function_call_output');
    expect(outputs.map((item) => item.call_id).sort()).toEqual([...callIds].sort());
  });

  it('a script calling two tools yields script_execution, its JSON output, then the function_call_output', async () => {
    const run = await newRun();
    const code = `const a = await tools.readFile({ path: 'hello.txt' });
const listing = await tools.listDir({ path: 'data' });
console.log('files:', listing.split('\\n').length);
return { firstLine: a.split('\\n')[0], files: listing.split('\\n') };`;
    const callId = await run.call('runScript', { code });
    const output = await run.output(callId);
    const scripts = await run.items('script_execution');
    const scriptOutputs = await run.items('script_execution_output');
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toMatchObject({ type: 'script_execution', code, call_id: callId });
    expect(scriptOutputs).toHaveLength(1);
    const expected = {
      firstLine: 'Hello from a real file.',
      files: ['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt'],
    };
    expect(scriptOutputs[0]).toMatchObject({ script_id: scripts[0]?.id, success: true, logs: ['files: 5'] });
    expect(JSON.parse(scriptOutputs[0]?.result ?? '')).toEqual(expected);
    expect(output.success).toBe(true);
    expect(JSON.parse(output.output.split('\n[console]')[0] ?? '')).toEqual(expected);
    // order in the stream: the script, its output, then the answer to the call
    const order = (await run.events())
      .filter((event) => event.payload.type === 'item_done')
      .map((event) => (event.payload.type === 'item_done' ? event.payload.final_item.type : ''));
    expect(order).toEqual([
      'function_call',
      'script_execution',
      'script_execution_output',
      'function_call_output',
    ]);
    expect(reduceEvents(await run.events())?.status).toBe('in_progress');
  });

  it('a failing script reports its error in script_execution_output', async () => {
    const run = await newRun();
    const callId = await run.call('runScript', { code: 'throw new Error("the script failed")' });
    const output = await run.output(callId);
    const [scriptOutput] = await run.items('script_execution_output');
    expect(scriptOutput).toMatchObject({ success: false, result: 'null', error: { code: 'SCRIPT_ERROR' } });
    expect(output).toMatchObject({ success: false });
    expect(output.output).toContain('the script failed');
  });

  it('cancelling the run kills a running exec and answers it cancelled', async () => {
    const run = await newRun();
    const marker = uniqueSleep();
    const callId = await run.call('exec', { shell: `echo begun; sleep ${marker}` });
    await eventually(async () => processesWith(marker, 'sleep').length > 0);
    await transport.cancels.request(run.runId);
    const output = await run.output(callId);
    expect(output.success).toBe(false);
    expect(output.output).toBe('begun\n[cancelled: the process group was killed]');
    await eventually(async () => processesWith(marker).length === 0);
  });

  it('a cancel whose pub/sub message was missed is still seen (durable flag)', async () => {
    const run = await newRun();
    const marker = uniqueSleep();
    const callId = await run.call('exec', { shell: `sleep ${marker}` });
    await eventually(async () => processesWith(marker, 'sleep').length > 0);
    // only the flag, as if this worker's subscriber had been disconnected when the message went out
    await transport.redis.set(transport.keys.runCancel(run.runId), String(Date.now()), 'EX', 60);
    const output = await run.output(callId);
    expect(output).toMatchObject({ success: false, output: '[cancelled: the process group was killed]' });
    await eventually(async () => processesWith(marker).length === 0);
  });

  it('a call of an already cancelled run is answered cancelled without running', async () => {
    const run = await newRun();
    await transport.cancels.request(run.runId);
    const callId = await run.call('writeFile', { path: 'must-not-exist.txt', content: 'x' });
    expect(await run.output(callId)).toMatchObject({
      success: false,
      output: 'writeFile was cancelled: the run was cancelled',
    });
    await expect(readFile(path.join(workspace, 'must-not-exist.txt'))).rejects.toThrow('ENOENT');
  });

  it('never answers a call twice: a duplicate request or an earlier answer wins', async () => {
    const run = await newRun();
    const callId = await run.call('readFile', { path: 'hello.txt' });
    await run.output(callId);
    // the same call queued again (a driver retrying) is dropped
    await run.call('readFile', { path: 'hello.txt' }, { callId });
    // a call the driver already answered (cancel path) is not answered again by the worker
    const preAnswered = 'call_pre_answered';
    const events = functionCallOutputPayloads({
      itemId: crypto.randomUUID(),
      callId: preAnswered,
      output: 'cancelled',
      success: false,
    }).map((payload) => transport.createEvent(run.runId, payload));
    expect(
      (await answerToolCall(transport.redis, transport.keys, run.runId, preAnswered, events)).status,
    ).toBe('published');
    await run.call('readFile', { path: 'hello.txt' }, { callId: preAnswered });
    const marker = await run.call('readFile', { path: 'hello.txt' });
    await run.output(marker);
    await eventually(async () => (await transport.redis.xlen(transport.keys.toolRequests)) === 0);
    const outputs = await run.items('function_call_output');
    expect(outputs.filter((item) => item.call_id === callId)).toHaveLength(1);
    expect(outputs.filter((item) => item.call_id === preAnswered)).toEqual([
      expect.objectContaining({ output: 'cancelled' }),
    ]);
    expect(worker.stats().alreadyAnswered).toBeGreaterThanOrEqual(2);
  });

  it('continues the request’s trace in the events it publishes', async () => {
    const run = await newRun();
    const traceId = `${'a'.repeat(31)}b`;
    const callId = await run.call(
      'readFile',
      { path: 'hello.txt' },
      { trace: { traceparent: `00-${traceId}-${'c'.repeat(16)}-01` } },
    );
    await run.output(callId);
    const answer = (await run.events()).filter(
      (event) =>
        event.payload.type === 'item_done' && event.payload.final_item.type === 'function_call_output',
    );
    expect(answer[0]?.trace_context?.traceparent).toContain(`00-${traceId}-`);
  });
});
