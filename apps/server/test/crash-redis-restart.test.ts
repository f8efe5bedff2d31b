// [TC-CR-3] Redis restarted mid-run. The test runs its own redis-server on a free port; the
// server (with its in-process workers) and a standalone worker process use it, and it is
// SIGKILLed and started again while runs stream.
//
// The honest expectation depends on what the restart loses:
// - Redis without persistence (`--save '' --appendonly no`) comes back empty: run streams,
//   leases, consumer groups and — with the default Redis store — the threads and snapshots are
//   gone. Nothing can finish an in-flight run: its driver loses its lease and stops the model
//   call, and the persistence worker that owned it notices that the stream lost what it had
//   reduced and ends the run `error` / RUN_STREAM_LOST in its stream. A client following the run
//   (EventSource-style, resuming with Last-Event-ID) therefore ends on that error instead of
//   waiting forever. The snapshot cannot be stored (its thread went with the lost data), so
//   GET /runs/:id answers 404: never `in_progress`. Runs started after the restart work.
//   The text a client holds for such a run is not exact: events Redis held but had not yet
//   delivered are lost, and a client resuming into the recreated stream may miss or repeat some.
// - Redis with an append-only file loses nothing: server and workers reconnect and the runs in
//   flight complete, each snapshot equal to its stream, followed by one SSE connection throughout.
import { createRedisKeys, PROJECTOR_GROUP, TOOL_WORKER_GROUP } from '@cody/redis';
import { reduceEvents } from '@cody/reducer';
import type { Response } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { hydrate, type Stack, startStack } from './harness';
import {
  followLikeEventSource,
  type PrivateRedis,
  readSseStream,
  startPrivateRedis,
  startWorkerChild,
  streamEntries,
  type WorkerChild,
  waitFor,
  waitForTerminalRun,
  withIds,
} from './support-stream-helpers';

const RUNS = 3;
const TEXT = Array.from({ length: 250 }, (_, i) => `d${i} `);

let redisServer: PrivateRedis | undefined;
let stack: Stack | undefined;
let worker: WorkerChild | undefined;
let redis: Redis | undefined;
afterEach(async () => {
  await worker?.kill();
  await stack?.close();
  redis?.disconnect();
  await redisServer?.stop();
  worker = undefined;
  stack = undefined;
  redis = undefined;
  redisServer = undefined;
});

async function startOn(server: PrivateRedis, marker: string): Promise<Stack> {
  const s = await startStack({
    env: { REDIS_URL: server.url },
    rules: [
      {
        match: { marker: `${marker}-AFTER`, step: 1 },
        reply: replies.toolCalls([{ name: 'exec', arguments: { shell: 'echo reconnected' } }]),
      },
      { match: { marker: `${marker}-AFTER`, step: 2 }, reply: replies.text('done after the restart') },
      { match: { marker, step: 1 }, reply: replies.text(TEXT, { delayMs: 20 }) },
    ],
  });
  worker = await startWorkerChild({
    REDIS_URL: server.url,
    CODY_REDIS_PREFIX: s.prefix,
    CODY_WORKSPACE: s.workspace,
  });
  redis = new Redis(server.url);
  redis.on('error', () => {});
  return s;
}

/** Starts runs, and waits until each is owned by a persistence worker and part-way streamed. */
async function runsInFlight(s: Stack, marker: string): Promise<string[]> {
  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++) runIds.push((await s.submit({ prompt: `stream ${marker} ${i}` })).runId);
  for (const runId of runIds) {
    await s.waitForRun(runId, (r) =>
      r.output_items.some(
        (item) => item.type === 'message' && item.origin === 'agent' && item.content.length > 20,
      ),
    );
  }
  return runIds;
}

/** A new run with a tool call: the server, the persistence worker and a tool worker all reconnected. */
async function expectNewRunWorks(s: Stack, marker: string): Promise<void> {
  expect((await s.api('GET', '/health')).status).toBe(200);
  const { runId } = await s.submit({ prompt: `again ${marker}-AFTER` });
  const stored = await waitForTerminalRun(s, runId);
  expect(stored.status).toBe('complete');
  expect(stored.output_items.find((item) => item.type === 'function_call_output')).toMatchObject({
    success: true,
    output: expect.stringContaining('reconnected'),
  });
  expect(stored).toEqual(hydrate(await readSseStream(s.baseUrl, runId)));
}

async function expectNothingPending(s: Stack, client: Redis): Promise<void> {
  const keys = createRedisKeys(s.prefix);
  await waitFor('no pending group entries', async () => {
    const [announce] = (await client.xpending(keys.announce, PROJECTOR_GROUP)) as [number];
    const [tools] = (await client.xpending(keys.toolRequests, TOOL_WORKER_GROUP)) as [number];
    return announce === 0 && tools === 0;
  });
}

describe('[TC-CR-3] Redis restarted mid-run', () => {
  it('without persistence: every run in flight ends error in its stream, none stays in_progress, new runs work', async () => {
    redisServer = await startPrivateRedis();
    stack = await startOn(redisServer, 'CR3-VOLATILE');
    const s = stack;
    const runIds = await runsInFlight(s, 'CR3-VOLATILE');
    const followers = runIds.map((runId) => followLikeEventSource(s.baseUrl, runId, { timeoutMs: 300_000 }));
    await new Promise((resolve) => setTimeout(resolve, 200));

    await redisServer.restart({ downMs: 500 });

    const keys = createRedisKeys(s.prefix);
    for (const [index, runId] of runIds.entries()) {
      const followed = await (followers[index] as ReturnType<typeof followLikeEventSource>);
      // the follower saw the run end, with an error, instead of waiting forever
      expect(followed.end).toBe('terminal');
      const terminal = JSON.parse(followed.messages.at(-1)?.data ?? '{}');
      expect(terminal.type).toBe('response_error');
      expect(['RUN_STREAM_LOST', 'RUN_OWNER_LOST']).toContain(terminal.payload.error.code);
      const seen = hydrate(followed.messages) as Response;
      expect(seen.status).toBe('error');
      // it keeps the partial answer; its exact text is not promised: what Redis held but had
      // not delivered is lost with it, and the driver may publish a few more deltas into the
      // recreated stream before it learns its lease is gone
      expect(
        seen.output_items.some(
          (item) => item.type === 'message' && item.origin === 'agent' && item.content.length > 0,
        ),
      ).toBe(true);
      // the model call was stopped: its driver lost the lease with the rest of Redis' data
      expect(await s.llm.findRequests({ marker: `CR3-VOLATILE ${index}` })[0]?.outcome).toBe('client_closed');
      // the snapshot went with the data Redis lost: not found, never in_progress
      const reply = await s.api<Response>('GET', `/api/v2/runs/${runId}`);
      expect(reply.status === 404 || reply.json.status === 'error').toBe(true);
      // and the run's stream in the new Redis expires instead of lingering
      expect(await redis?.ttl(keys.runEvents(runId))).toBeGreaterThan(0);
    }

    await expectNewRunWorks(s, 'CR3-VOLATILE');
    await expectNothingPending(s, redis as Redis);
  });

  it('with an append-only file: server and workers reconnect and the runs in flight complete', async () => {
    redisServer = await startPrivateRedis({ persistent: true });
    stack = await startOn(redisServer, 'CR3-DURABLE');
    const s = stack;
    const runIds = await runsInFlight(s, 'CR3-DURABLE');
    // one connection each, kept through the restart
    const readers = runIds.map((runId) => readSseStream(s.baseUrl, runId));
    await new Promise((resolve) => setTimeout(resolve, 200));

    await redisServer.restart({ downMs: 500 });

    for (const [index, runId] of runIds.entries()) {
      const stored = await waitForTerminalRun(s, runId);
      expect(stored.status).toBe('complete');
      const entries = await streamEntries(redis as Redis, s.prefix, runId);
      expect(stored).toEqual(reduceEvents(entries.map((entry) => entry.event)));
      expect(stored.output_items.map((item) => (item.type === 'message' ? item.content : item.type))).toEqual(
        [`stream CR3-DURABLE ${index}`, TEXT.join('')],
      );
      const messages = await (readers[index] as Promise<ReturnType<typeof withIds>>);
      expect(withIds(messages).map((m) => m.id)).toEqual(entries.map((entry) => entry.id));
      expect(hydrate(messages)).toEqual(stored);
    }

    await expectNewRunWorks(s, 'CR3-DURABLE');
    await expectNothingPending(s, redis as Redis);
  });
});
