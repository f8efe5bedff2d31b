// Fault: Redis (append-only, `appendfsync always`) SIGKILLed mid-run for 0.5, 1.5 and 3 s and
// started again. Every driver process lives, so every run must end `complete`, exactly as
// streamed: the drivers' events wait on their connections and reach the stream in order, the
// watchdogs (in the server and in a standalone worker) do not count an outage against a
// lease, and a driver whose lease expired while Redis was down takes it back. Past the bound
// (`CODY_REDIS_OUTAGE_MS`) a run ends `error` / REDIS_UNAVAILABLE instead, cleanly.
import { createRedisKeys, PROJECTOR_GROUP, TOOL_WORKER_GROUP } from '@cody/redis';
import { reduceEvents } from '@cody/reducer';
import { replies } from '@cody/test-llm';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { hydrate, type Stack, startStack } from './harness';
import {
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
const TEXT = Array.from({ length: 200 }, (_, i) => `o${i} `);

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

async function startOnPrivateRedis(marker: string, env: Record<string, string> = {}): Promise<Stack> {
  redisServer = await startPrivateRedis({ persistent: true });
  const s = await startStack({
    env: { REDIS_URL: redisServer.url, ...env },
    rules: [{ match: { marker, step: 1 }, reply: replies.text(TEXT, { delayMs: 20 }) }],
  });
  stack = s;
  worker = await startWorkerChild({
    REDIS_URL: redisServer.url,
    CODY_REDIS_PREFIX: s.prefix,
    CODY_WORKSPACE: s.workspace,
    ...env,
  });
  redis = new Redis(redisServer.url);
  redis.on('error', () => {});
  return s;
}

/** Starts runs and waits until each is part-way streamed (and owned by a persistence worker). */
async function runsInFlight(s: Stack, marker: string): Promise<string[]> {
  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++) runIds.push((await s.submit({ prompt: `stream ${marker} ${i}` })).runId);
  for (const runId of runIds) {
    // (or over: with a short outage bound, a stalled machine may end a run before the kill)
    await s.waitForRun(
      runId,
      (r) =>
        r.status !== 'in_progress' ||
        r.output_items.some(
          (item) => item.type === 'message' && item.origin === 'agent' && item.content.length > 20,
        ),
    );
  }
  return runIds;
}

async function expectNothingPending(s: Stack, client: Redis): Promise<void> {
  const keys = createRedisKeys(s.prefix);
  await waitFor('no pending group entries', async () => {
    const [announce] = (await client.xpending(keys.announce, PROJECTOR_GROUP)) as [number];
    const [tools] = (await client.xpending(keys.toolRequests, TOOL_WORKER_GROUP)) as [number];
    return announce === 0 && tools === 0;
  });
}

describe('Redis killed mid-run (append-only file), every driver alive', () => {
  for (const downMs of [500, 1500, 3000]) {
    it(`down ${downMs} ms: every run completes, exactly as streamed, one SSE connection each`, async () => {
      const marker = `OUTAGE-${downMs}`;
      const s = await startOnPrivateRedis(marker);
      const runIds = await runsInFlight(s, marker);
      const readers = runIds.map((runId) => readSseStream(s.baseUrl, runId));

      await (redisServer as PrivateRedis).restart({ downMs });

      for (const [index, runId] of runIds.entries()) {
        const stored = await waitForTerminalRun(s, runId);
        expect(stored.error).toBeUndefined();
        expect(stored.status).toBe('complete');
        const entries = await streamEntries(redis as Redis, s.prefix, runId);
        expect(stored).toEqual(reduceEvents(entries.map((entry) => entry.event)));
        expect(
          stored.output_items.map((item) => (item.type === 'message' ? item.content : item.type)),
        ).toEqual([`stream ${marker} ${index}`, TEXT.join('')]);
        const messages = await (readers[index] as Promise<Awaited<ReturnType<typeof readSseStream>>>);
        expect(withIds(messages).map((m) => m.id)).toEqual(entries.map((entry) => entry.id));
        expect(hydrate(messages)).toEqual(stored);
      }
      await expectNothingPending(s, redis as Redis);
    });
  }

  it('down longer than CODY_REDIS_OUTAGE_MS: the runs end error / REDIS_UNAVAILABLE, in order', async () => {
    const marker = 'OUTAGE-BOUND';
    const s = await startOnPrivateRedis(marker, { CODY_REDIS_OUTAGE_MS: '1000' });
    const runIds = await runsInFlight(s, marker);
    const readers = runIds.map((runId) => readSseStream(s.baseUrl, runId));

    await (redisServer as PrivateRedis).restart({ downMs: 4000 });

    for (const [index, runId] of runIds.entries()) {
      const stored = await waitForTerminalRun(s, runId);
      expect(stored.status).toBe('error');
      expect(stored.error?.code).toBe('REDIS_UNAVAILABLE');
      const entries = await streamEntries(redis as Redis, s.prefix, runId);
      expect(stored).toEqual(reduceEvents(entries.map((entry) => entry.event)));
      // what streamed before the outage is kept, in order: a prefix of the answer
      const answer = stored.output_items.find((item) => item.type === 'message' && item.origin === 'agent');
      expect(answer?.type === 'message' && TEXT.join('').startsWith(answer.content)).toBe(true);
      const messages = await (readers[index] as Promise<Awaited<ReturnType<typeof readSseStream>>>);
      expect(withIds(messages).map((m) => m.id)).toEqual(entries.map((entry) => entry.id));
      expect(JSON.parse(messages.at(-1)?.data ?? '{}').payload?.error?.code).toBe('REDIS_UNAVAILABLE');
    }
    await expectNothingPending(s, redis as Redis);
  });
});
