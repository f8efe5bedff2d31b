// [TC-CR-4] The server SIGKILLed mid-run (a child process) and started again. The run's driver
// died with it, so nothing can finish the model call: the lease lapses and the run is ended
// `error` / RUN_OWNER_LOST within seconds, keeping what was streamed. Covered both with
// standalone workers that keep running (CODY_WORKERS=none) and with the workers inside the
// killed server (the restarted server's worker claims the run).
import { replies } from '@cody/test-llm';
import { afterEach, describe, expect, it } from 'vitest';
import { hydrate, REDIS_URL, type Stack, startStack } from './harness';
import {
  readSseStream,
  startWorkerChild,
  type WorkerChild,
  waitFor,
  waitForTerminalRun,
  withIds,
} from './support-stream-helpers';

const TEXT = Array.from({ length: 300 }, (_, i) => `s${i} `);

let stack: Stack | undefined;
let worker: WorkerChild | undefined;
afterEach(async () => {
  await worker?.kill();
  await stack?.close();
  worker = undefined;
  stack = undefined;
});

async function killServerMidRun(s: Stack, marker: string) {
  const { runId } = await s.submit({ prompt: `stream ${marker}` });
  // part of the message is persisted before the server dies
  const before = await s.waitForRun(runId, (r) =>
    r.output_items.some(
      (item) => item.type === 'message' && item.origin === 'agent' && item.content.length > 30,
    ),
  );
  expect(before.status).toBe('in_progress');
  await s.restartChild('SIGKILL');
  return { runId, before };
}

async function expectOwnerLost(s: Stack, runId: string, before: { output_items: unknown[] }, marker: string) {
  // the provider saw its client (the dead server) go away
  expect(await s.llm.findRequests({ marker })[0]?.outcome).toBe('client_closed');
  const stored = await waitForTerminalRun(s, runId);
  expect(stored.status).toBe('error');
  expect(stored.error?.code).toBe('RUN_OWNER_LOST');
  // what was streamed is kept: the partial message grew from what was stored before the kill
  const message = stored.output_items.find((item) => item.type === 'message' && item.origin === 'agent');
  const earlier = before.output_items.find((item) => (item as { origin?: string }).origin === 'agent') as {
    content: string;
  };
  expect(message?.type === 'message' && message.content.startsWith(earlier.content)).toBe(true);
  expect(message?.type === 'message' && TEXT.join('').startsWith(message.content)).toBe(true);
  // the restarted server streams the ended run to its end
  const messages = await readSseStream(s.baseUrl, runId);
  expect(withIds(messages).at(-1)?.event).toBe('response_error');
  expect(hydrate(messages)).toEqual(stored);
}

describe('[TC-CR-4] server restarted mid-run', () => {
  it('with standalone workers: the run is ended RUN_OWNER_LOST, keeping what streamed', async () => {
    stack = await startStack({
      childProcess: true,
      env: { CODY_WORKERS: 'none' },
      rules: [{ match: { marker: 'CR4-STANDALONE' }, reply: replies.text(TEXT, { delayMs: 20 }) }],
    });
    worker = await startWorkerChild({
      REDIS_URL,
      CODY_REDIS_PREFIX: stack.prefix,
      CODY_WORKSPACE: stack.workspace,
    });
    const { runId, before } = await killServerMidRun(stack, 'CR4-STANDALONE');
    await expectOwnerLost(stack, runId, before, 'CR4-STANDALONE');
    await waitFor('the watchdog log line', () => worker?.output().includes('RUN_OWNER_LOST'));
  });

  it('with the workers inside the killed server: the restarted server ends the run', async () => {
    stack = await startStack({
      childProcess: true,
      rules: [{ match: { marker: 'CR4-INPROCESS' }, reply: replies.text(TEXT, { delayMs: 20 }) }],
    });
    const { runId, before } = await killServerMidRun(stack, 'CR4-INPROCESS');
    await expectOwnerLost(stack, runId, before, 'CR4-INPROCESS');
  });
});
