// Tool approvals end to end: a run submitted with `approval: ask-mutating` stops before a
// command runs, shows the call as pending, and continues with what the person decides — from any
// server process, across a restart of the server driving it, or denied by the timeout.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionCallItem, Response } from '@cody/schema';
import { type Rule, replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, hydrate, type Stack, startStack, withoutHeartbeats } from './harness';
import { itemsOf } from './support-runs';
import { waitForTerminalRun } from './support-stream-helpers';

/** A marker's two model calls: exec creating `file`, then a reply naming what the tool answered. */
function execRules(marker: string, file: string): Rule[] {
  return [
    {
      match: { marker, step: 1 },
      reply: replies.toolCalls([
        { name: 'exec', arguments: { shell: `touch ${file} && echo made ${file}` } },
      ]),
    },
    {
      match: { marker, step: 2 },
      reply: (request) => {
        const result = request.stepToolResults[0];
        return replies.text(`${result?.isError ? 'failed' : 'ok'}: ${result?.output ?? '(none)'}`);
      },
    },
  ];
}

const MARKERS = [
  'AP-DENY',
  'AP-APPROVE',
  'AP-AUTO',
  'AP-REMOTE',
  'AP-CANCEL',
  'AP-ROUTE',
  'AP-RESTART',
  'AP-TIMEOUT',
];
const rules = [
  ...MARKERS.flatMap((marker) => execRules(marker, `${marker}.txt`)),
  // a read-only tool is not asked for under ask-mutating
  {
    match: { marker: 'AP-READ', step: 1 },
    reply: replies.toolCalls([{ name: 'readFile', arguments: { path: 'hello.txt' } }]),
  },
  { match: { marker: 'AP-READ', step: 2 }, reply: replies.text('read it') },
];

const pendingCall = (response: Response) =>
  itemsOf(response, 'function_call').find((call) => call.approval?.status === 'pending');

async function submitPending(s: Stack, marker: string, extra: Record<string, unknown> = {}) {
  const { runId } = await s.submit({ prompt: `do it ${marker}`, approval: 'ask-mutating', ...extra });
  const waiting = await s.waitForRun(runId, (r) => pendingCall(r) !== undefined);
  return { runId, call: pendingCall(waiting) as FunctionCallItem, snapshot: waiting };
}

function decide(s: Stack, runId: string, callId: string, body: unknown) {
  return s.api<{ status?: string; error?: { code: string; message: string } }>(
    'POST',
    `/api/v2/runs/${runId}/approvals/${encodeURIComponent(callId)}`,
    body,
  );
}

const outputOf = (response: Response, callId: string) =>
  itemsOf(response, 'function_call_output').find((output) => output.call_id === callId);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ rules });
});
afterAll(() => stack.close());

describe('a call that needs approval', () => {
  it('is pending and not executed; a denial reaches the model with its reason and the run completes', async () => {
    const { runId, call, snapshot } = await submitPending(stack, 'AP-DENY');
    expect(call.name).toBe('exec');
    expect(call.approval).toMatchObject({ status: 'pending', expires_at: expect.any(Number) });
    expect(snapshot.status).toBe('in_progress');
    // not run: no side effect, nothing queued for the tool workers, no output
    expect(existsSync(join(stack.workspace, 'AP-DENY.txt'))).toBe(false);
    expect(await stack.redis.xlen(`${stack.prefix}tools:requests`)).toBe(0);
    expect(outputOf(snapshot, call.call_id)).toBeUndefined();

    const denied = await decide(stack, runId, call.call_id, {
      decision: 'deny',
      reason: 'not on my machine',
    });
    expect(denied.status).toBe(200);
    expect(denied.json.status).toBe('denied');
    const stored = await waitForTerminalRun(stack, runId);
    expect(stored.status).toBe('complete');
    expect(existsSync(join(stack.workspace, 'AP-DENY.txt'))).toBe(false);
    const decided = itemsOf(stored, 'function_call')[0];
    expect(decided?.approval).toEqual({ status: 'denied', reason: 'not on my machine', decided_by: 'user' });
    expect(outputOf(stored, call.call_id)).toMatchObject({ success: false });
    expect(outputOf(stored, call.call_id)?.output).toContain('not on my machine');
    // the provider's next request carried the denial as the call's result
    const [, second] = stack.llm.findRequests({ marker: 'AP-DENY' });
    expect(second?.stepToolResults[0]?.callId).toBe(call.call_id);
    expect(second?.stepToolResults[0]?.output).toContain('APPROVAL_DENIED');
    expect(second?.stepToolResults[0]?.output).toContain('not on my machine');
    // the stream and the snapshot agree, approval events included
    const messages = withoutHeartbeats(await stack.readStream(runId));
    const types = events(messages).map((event) => event.type);
    expect(types).toContain('approval_requested');
    expect(types).toContain('approval_decided');
    expect(hydrate(messages)).toEqual(stored);
  });

  it('approved: the tool runs and the model gets its real output', async () => {
    const { runId, call } = await submitPending(stack, 'AP-APPROVE');
    expect(existsSync(join(stack.workspace, 'AP-APPROVE.txt'))).toBe(false);
    const approved = await decide(stack, runId, call.call_id, { decision: 'approve' });
    expect(approved.status).toBe(200);
    expect(approved.json.status).toBe('approved');
    const stored = await waitForTerminalRun(stack, runId);
    expect(stored.status).toBe('complete');
    expect(existsSync(join(stack.workspace, 'AP-APPROVE.txt'))).toBe(true);
    expect(itemsOf(stored, 'function_call')[0]?.approval).toEqual({ status: 'approved', decided_by: 'user' });
    expect(outputOf(stored, call.call_id)).toMatchObject({ success: true });
    expect(outputOf(stored, call.call_id)?.output).toContain('made AP-APPROVE.txt');
    const [, second] = stack.llm.findRequests({ marker: 'AP-APPROVE' });
    expect(second?.stepToolResults[0]?.callId).toBe(call.call_id);
    expect(second?.stepToolResults[0]?.output).toContain('made AP-APPROVE.txt');
  });

  it('a read-only tool is not asked for under ask-mutating; nothing is asked under auto', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(stack.workspace, 'hello.txt'), 'hello');
    const { runId } = await stack.submit({ prompt: 'read AP-READ', approval: 'ask-mutating' });
    const read = await waitForTerminalRun(stack, runId);
    expect(read.status).toBe('complete');
    expect(itemsOf(read, 'function_call')[0]?.approval).toBeUndefined();
    expect(itemsOf(read, 'function_call_output')[0]).toMatchObject({ success: true, output: 'hello' });

    const auto = await stack.submit({ prompt: 'do it AP-AUTO', approval: 'auto' });
    const done = await waitForTerminalRun(stack, auto.runId);
    expect(itemsOf(done, 'function_call')[0]?.approval).toBeUndefined();
    expect(existsSync(join(stack.workspace, 'AP-AUTO.txt'))).toBe(true);
  });

  it("the demo's scripted model (the test LLM's default script) asks before a command it was asked to run", async () => {
    const { runId } = await stack.submit({ prompt: 'run `echo demo-approval`', approval: 'ask-mutating' });
    const waiting = await stack.waitForRun(runId, (r) => pendingCall(r) !== undefined);
    const call = pendingCall(waiting) as FunctionCallItem;
    expect(call.name).toBe('exec');
    expect(call.arguments).toContain('echo demo-approval');
    expect((await decide(stack, runId, call.call_id, { decision: 'approve' })).status).toBe(200);
    const stored = await waitForTerminalRun(stack, runId);
    expect(stored.status).toBe('complete');
    expect(outputOf(stored, call.call_id)?.output).toContain('demo-approval');
  });

  it('is decided from a second server process', async () => {
    // a stack of its own: closing the second process removes the shared prefix's keys
    const first = await startStack({ rules });
    const other = await startStack({
      childProcess: true,
      env: { CODY_REDIS_PREFIX: first.prefix, CODY_WORKERS: 'none' },
    });
    const stack = first;
    try {
      const { runId, call } = await submitPending(stack, 'AP-REMOTE');
      const approved = await decide(other, runId, call.call_id, { decision: 'approve' });
      expect(approved.status).toBe(200);
      const stored = await waitForTerminalRun(stack, runId);
      expect(stored.status).toBe('complete');
      expect(outputOf(stored, call.call_id)).toMatchObject({ success: true });
      expect(existsSync(join(stack.workspace, 'AP-REMOTE.txt'))).toBe(true);
      // the same decision again, from either process: 409
      for (const s of [stack, other]) {
        const again = await decide(s, runId, call.call_id, { decision: 'deny' });
        expect(again.status).toBe(409);
        expect(again.json.error?.code).toBe('APPROVAL_ALREADY_DECIDED');
      }
    } finally {
      await other.close();
      await first.close();
    }
  });

  it('cancel while pending closes the call like any open call; deciding afterwards is 409', async () => {
    const { runId, call } = await submitPending(stack, 'AP-CANCEL');
    const cancelled = await stack.api('POST', `/api/v2/runs/${runId}/cancel`);
    expect(cancelled.status).toBe(202);
    const stored = await waitForTerminalRun(stack, runId);
    expect(stored.status).toBe('aborted');
    expect(outputOf(stored, call.call_id)).toMatchObject({ success: false });
    expect(existsSync(join(stack.workspace, 'AP-CANCEL.txt'))).toBe(false);
    const late = await decide(stack, runId, call.call_id, { decision: 'approve' });
    expect(late.status).toBe(409);
    expect(late.json.error?.code).toBe('APPROVAL_ALREADY_DECIDED');
  });
});

describe('POST /api/v2/runs/:id/approvals/:callId', () => {
  it('answers 404 for an unknown run or call, 400 for a bad body, 409 when decided twice', async () => {
    const { runId, call } = await submitPending(stack, 'AP-ROUTE');
    const unknownRun = await decide(stack, '5b0e8a4e-7f7a-4d0e-9a55-6a8f2f7d0c11', call.call_id, {
      decision: 'approve',
    });
    expect(unknownRun.status).toBe(404);
    expect(unknownRun.json.error?.code).toBe('RUN_NOT_FOUND');
    const unknownCall = await decide(stack, runId, 'call_nope', { decision: 'approve' });
    expect(unknownCall.status).toBe(404);
    expect(unknownCall.json.error?.code).toBe('APPROVAL_NOT_FOUND');
    for (const body of [{}, { decision: 'maybe' }, { decision: 'approve', extra: 1 }, 'not json', []]) {
      const bad = await decide(stack, runId, call.call_id, body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json.error?.code).toMatch(/VALIDATION_ERROR|INVALID_JSON/);
    }
    // none of the refused requests decided it
    expect(pendingCall(await stack.waitForRun(runId, () => true))).toBeDefined();
    const first = await decide(stack, runId, call.call_id, { decision: 'deny', reason: 'no' });
    expect(first.status).toBe(200);
    const second = await decide(stack, runId, call.call_id, { decision: 'approve' });
    expect(second.status).toBe(409);
    expect(second.json.error?.code).toBe('APPROVAL_ALREADY_DECIDED');
    const stored = await waitForTerminalRun(stack, runId);
    expect(itemsOf(stored, 'function_call')[0]?.approval?.status).toBe('denied');
    expect(existsSync(join(stack.workspace, 'AP-ROUTE.txt'))).toBe(false);
    // a submit with an unknown approval mode is refused
    const badMode = await stack.api('POST', '/api/v2/submit', { prompt: 'x', approval: 'sometimes' });
    expect(badMode.status).toBe(400);
  });
});

describe('durable approvals', () => {
  it('survive a restart of the server driving the run: approve afterwards and it completes', async () => {
    const child = await startStack({ childProcess: true, rules });
    try {
      const { runId, call } = await submitPending(child, 'AP-RESTART');
      // a clean stop (SIGTERM) while the call waits, then a new server process
      await child.restartChild('SIGTERM');
      const reloaded = await child.waitForRun(runId, () => true);
      expect(reloaded.status).toBe('in_progress');
      expect(pendingCall(reloaded)?.call_id).toBe(call.call_id);
      expect(existsSync(join(child.workspace, 'AP-RESTART.txt'))).toBe(false);
      const approved = await decide(child, runId, call.call_id, { decision: 'approve' });
      expect(approved.status).toBe(200);
      const stored = await waitForTerminalRun(child, runId);
      expect(stored.status).toBe('complete');
      expect(outputOf(stored, call.call_id)).toMatchObject({ success: true });
      expect(existsSync(join(child.workspace, 'AP-RESTART.txt'))).toBe(true);
      const requests = child.llm.findRequests({ marker: 'AP-RESTART' });
      expect(requests).toHaveLength(2);
      expect(requests[1]?.stepToolResults[0]?.output).toContain('made AP-RESTART.txt');
      // one run: one start, one terminal event, whoever drove it
      const types = events(withoutHeartbeats(await child.readStream(runId))).map((event) => event.type);
      expect(types.filter((type) => type === 'response_start')).toHaveLength(1);
      expect(types.filter((type) => type === 'response_done')).toHaveLength(1);
    } finally {
      await child.close();
    }
  });

  it('a forgotten approval ends as denied after CODY_APPROVAL_TIMEOUT_MS', async () => {
    const short = await startStack({ rules, env: { CODY_APPROVAL_TIMEOUT_MS: '1500' } });
    try {
      // not through a pending snapshot: on a busy machine the deadline may pass before one is stored
      const { runId } = await short.submit({ prompt: 'do it AP-TIMEOUT', approval: 'ask-mutating' });
      const stored = await waitForTerminalRun(short, runId);
      expect(stored.status).toBe('complete');
      const call = itemsOf(stored, 'function_call')[0] as FunctionCallItem;
      expect(call.approval).toMatchObject({ status: 'denied', decided_by: 'timeout' });
      // it was asked first, then decided by the deadline
      const asked = events(withoutHeartbeats(await short.readStream(runId))).filter((event) =>
        event.type.startsWith('approval_'),
      );
      expect(asked.map((event) => event.type)).toEqual(['approval_requested', 'approval_decided']);
      expect(outputOf(stored, call.call_id)).toMatchObject({ success: false });
      expect(existsSync(join(short.workspace, 'AP-TIMEOUT.txt'))).toBe(false);
      const [, second] = short.llm.findRequests({ marker: 'AP-TIMEOUT' });
      expect(second?.stepToolResults[0]?.callId).toBe(call.call_id);
      expect(second?.stepToolResults[0]?.output).toContain('nobody approved this call');
      const late = await decide(short, runId, call.call_id, { decision: 'approve' });
      expect(late.status).toBe(409);
    } finally {
      await short.close();
    }
  });
});
