// [TC-CR-1] A persistence worker SIGKILLed mid-run: the server runs API-only
// (CODY_WORKERS=none) and the persistence workers are standalone processes
// (packages/workers/src/bin/worker.ts). Another worker claims the dead one's runs and finishes
// their snapshots: nothing lost, nothing doubled.
import { createRedisKeys, PROJECTOR_GROUP } from '@cody/redis';
import { reduceEvents } from '@cody/reducer';
import type { Response } from '@cody/schema';
import { createStore } from '@cody/store';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hydrate, REDIS_URL, type Stack, startStack } from './harness';
import {
  readSseStream,
  startWorkerChild,
  streamEntries,
  type WorkerChild,
  waitFor,
  waitForTerminalRun,
} from './support-stream-helpers';

const RUNS = 4;
const text = (run: number) => Array.from({ length: 150 }, (_, i) => `r${run}.${i} `);

let stack: Stack;
const workers: WorkerChild[] = [];
beforeAll(async () => {
  stack = await startStack({
    env: { CODY_WORKERS: 'none' },
    rules: Array.from({ length: RUNS }, (_, run) => ({
      match: { marker: `CR1-RUN-${run}` },
      reply: replies.text(text(run), { delayMs: 20 }),
    })),
  });
});
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.kill()));
  await stack.close();
});

const workerEnv = () => ({
  REDIS_URL,
  CODY_REDIS_PREFIX: stack.prefix,
  CODY_WORKSPACE: stack.workspace,
  // a dead worker's runs are claimed after 1 s without keep-alive (configuration, default 5 s)
  CODY_PERSISTENCE_CLAIM_IDLE_MS: '1000',
});

async function snapshot(runId: string): Promise<Response | undefined> {
  const reply = await stack.api<Response>('GET', `/api/v2/runs/${runId}`);
  return reply.status === 200 ? reply.json : undefined;
}

describe('[TC-CR-1] persistence worker killed mid-run', () => {
  it('another worker finishes every snapshot; no item lost or doubled', async () => {
    workers.push(await startWorkerChild(workerEnv()), await startWorkerChild(workerEnv()));
    const runIds: string[] = [];
    for (let run = 0; run < RUNS; run++)
      runIds.push((await stack.submit({ prompt: `stream CR1-RUN-${run}` })).runId);

    // every run is being persisted, part-way through its message
    await waitFor('in-progress snapshots with content', async () => {
      for (const runId of runIds) {
        const stored = await snapshot(runId);
        const message = stored?.output_items.find(
          (item) => item.type === 'message' && item.origin === 'agent',
        );
        if (
          stored?.status !== 'in_progress' ||
          !message ||
          message.type !== 'message' ||
          message.content.length < 40
        )
          return false;
      }
      return true;
    });

    // kill the worker that owns the most runs
    const keys = createRedisKeys(stack.prefix);
    const pending = (await stack.redis.xpending(keys.announce, PROJECTOR_GROUP, '-', '+', 100)) as [
      string,
      string,
      number,
      number,
    ][];
    const owned = (worker: WorkerChild) =>
      pending.filter(([, consumer]) => consumer === worker.consumer).length;
    const [victim, survivor] = [...workers].sort((a, b) => owned(b) - owned(a)) as [WorkerChild, WorkerChild];
    const victimRuns = owned(victim);
    expect(victimRuns).toBeGreaterThan(0);
    await victim.kill();

    for (const [run, runId] of runIds.entries()) {
      const stored = await waitForTerminalRun(stack, runId);
      expect(stored.status).toBe('complete');
      const entries = await streamEntries(stack.redis, stack.prefix, runId);
      // the snapshot is exactly the reduction of the run's stream
      expect(stored).toEqual(reduceEvents(entries.map((entry) => entry.event)));
      expect(stored).toEqual(hydrate(await readSseStream(stack.baseUrl, runId)));
      // no item lost or doubled
      const ids = stored.output_items.map((item) => item.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(
        stored.output_items.map((item) => [item.type, item.type === 'message' ? item.content : '']),
      ).toEqual([
        ['message', `stream CR1-RUN-${run}`],
        ['message', text(run).join('')],
      ]);
      // and it records the last entry it reflects, so a resume from it has no gap
      const store = createStore({ redis: stack.redis, prefix: stack.prefix });
      expect((await store.getRun(runId))?.lastStreamId).toBe(entries.at(-1)?.id);
    }
    // the survivor took the dead worker's entries and acked them all
    await waitFor('announce entries acked', async () => {
      const left = (await stack.redis.xpending(keys.announce, PROJECTOR_GROUP)) as [number];
      return left[0] === 0;
    });
    expect(survivor.output()).toContain('claimed the run of a dead worker');
    expect(survivor.output().match(/claimed the run of a dead worker/g)?.length).toBe(victimRuns);
  });
});
