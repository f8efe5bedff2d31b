import { randomUUID } from 'node:crypto';
import { PROJECTOR_GROUP, RedisTransport } from '@cody/redis';
import { reduceEvents } from '@cody/reducer';
import type { RedisStore } from '@cody/store';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  messageText,
  REDIS_URL,
  RunBuilder,
  redisStore,
  spawnWorker,
  uniquePrefix,
  type WorkerProcess,
  waitFor,
  waitForTerminal,
} from './persistence-helpers';

// Persistence workers run as real child processes (src/bin/worker.ts) and are killed with
// SIGKILL at random moments while runs keep streaming. At-least-once delivery plus the
// reducer's idempotence must still give every run a snapshot equal to its stream's reduction.
const prefix = uniquePrefix('persistence-crash');
const KILLS = 20;
const POOL = 3;
const env = {
  REDIS_URL,
  CODY_REDIS_PREFIX: prefix,
  // a killed worker's runs are claimed after 2 s of silence (keep-alives come every second)
  CODY_PERSISTENCE_CLAIM_IDLE_MS: '2000',
  CODY_RUN_TTL_SECONDS: '600',
};

const transport = new RedisTransport({ url: REDIS_URL, prefix });
const store: RedisStore = redisStore(transport.redis, prefix);
const threads = new Set<string>();
const runs = new Map<string, string[]>();
const workers = new Set<WorkerProcess>();
const everyWorker: WorkerProcess[] = [];
const spawning = new Set<Promise<void>>();

afterAll(async () => {
  // every child must be gone before the keys are: a live worker would re-create its group
  await Promise.allSettled([...spawning]);
  const alive = everyWorker.filter(
    (worker) => worker.child.exitCode === null && worker.child.signalCode === null,
  );
  for (const worker of alive) worker.child.kill('SIGKILL');
  await Promise.all(alive.map((worker) => worker.exited));
  await cleanup(transport.redis, store, prefix, threads, runs.keys());
  await transport.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One driver: runs one after another, each streaming deltas until `stop` says so. */
async function drive(threadId: string, stop: () => boolean): Promise<void> {
  while (!stop()) {
    const run = new RunBuilder(threadId);
    const parts: string[] = [];
    runs.set(run.runId, parts);
    const owner = `driver-${randomUUID().slice(0, 8)}`;
    await transport.leases.acquire(run.runId, owner);
    const keeper = transport.keepLease(run.runId, owner);
    for (const event of run.opening()) await transport.publish(event);
    await transport.announceRun(run.runId);
    const itemId = randomUUID();
    await transport.publish(run.messageStart(itemId));
    const until = Date.now() + 1000 + Math.random() * 3000;
    while (Date.now() < until) {
      const part = `${parts.length}:${randomUUID().slice(0, 4)} `;
      parts.push(part);
      await transport.publish(run.delta(itemId, part));
      await pause(10 + Math.random() * 30);
    }
    await transport.publish(run.messageDone(itemId, parts.join('')));
    await transport.publish(run.done());
    await keeper.stop();
  }
}

// the work is fixed (20 kills, each waiting for a replacement worker process to start): on a
// loaded box process start-up sets the pace; the shared test timeout only catches a hang
describe('persistence workers killed with SIGKILL', () => {
  it(`keeps every snapshot equal to its stream through ${KILLS}+ kills`, async () => {
    for (let i = 0; i < POOL; i++) {
      const worker = await spawnWorker(env);
      workers.add(worker);
      everyWorker.push(worker);
    }
    const thread = await store.createThread({ title: 'crash test' });
    threads.add(thread.id);

    let kills = 0;
    const stop = () => kills >= KILLS;
    const drivers = Array.from({ length: 8 }, () => drive(thread.id, stop));

    while (kills < KILLS) {
      await pause(300 + Math.random() * 500);
      // keep at least one worker alive so the runs keep moving
      if (workers.size < 2) continue;
      const victims = [...workers];
      const victim = victims[Math.floor(Math.random() * victims.length)] as WorkerProcess;
      workers.delete(victim);
      victim.child.kill('SIGKILL');
      await victim.exited;
      kills++;
      const replacement = spawnWorker(env).then((worker) => {
        workers.add(worker);
        everyWorker.push(worker);
      });
      spawning.add(replacement);
      void replacement.finally(() => spawning.delete(replacement));
    }
    await Promise.all(drivers);
    await Promise.all(spawning);
    expect(kills).toBeGreaterThanOrEqual(KILLS);

    const runIds = [...runs.keys()];
    await waitForTerminal(store, runIds, 300_000);
    for (const [runId, parts] of runs) {
      const entries = await transport.readRange(runId);
      const stored = await store.getRun(runId);
      expect(stored?.response).toEqual(reduceEvents(entries.map((entry) => entry.event)));
      expect(stored?.lastStreamId).toBe(entries.at(-1)?.id);
      expect(stored?.response.status).toBe('complete');
      // no item doubled or lost: the prompt and the answer, whose text is every delta once, in order
      expect(stored?.response.output_items).toHaveLength(2);
      expect(messageText(stored, 1)).toBe(parts.join(''));
    }

    const group = transport.consumerGroup({
      stream: transport.keys.announce,
      group: PROJECTOR_GROUP,
      consumer: 'probe',
    });
    await waitFor(async () => (await group.pendingCount()) === 0, 300_000, 'no pending announce entries');
    for (const runId of runIds)
      expect(await transport.redis.ttl(transport.keys.runEvents(runId))).toBeGreaterThan(0);

    // the runs of killed workers really were taken over
    const claims = everyWorker
      .flatMap((worker) => worker.logs)
      .filter((line) => line.msg === 'claimed the run of a dead worker');
    expect(claims.length).toBeGreaterThan(0);

    // the survivors stop cleanly on SIGTERM
    const survivors = [...workers];
    workers.clear();
    for (const worker of survivors) worker.child.kill('SIGTERM');
    expect(await Promise.all(survivors.map((worker) => worker.exited))).toEqual(survivors.map(() => 0));
    console.info(`crash test: ${kills} kills, ${runIds.length} runs, ${claims.length} takeovers`);
  });
});
