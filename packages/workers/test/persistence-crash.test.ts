import { randomUUID } from 'node:crypto';
import type { MessageItem } from '@cody/schema';
import { reduceEvents } from '@cody/reducer';
import { PROJECTOR_GROUP, RedisTransport } from '@cody/redis';
import type { RedisStore } from '@cody/store';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  REDIS_URL,
  RunBuilder,
  redisStore,
  spawnWorker,
  uniquePrefix,
  waitFor,
  waitForTerminal,
  type WorkerProcess,
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
  LOG_LEVEL: 'warn',
  // a killed worker's runs are claimed after 2 s of silence (keep-alives come every second)
  CODY_PERSISTENCE_CLAIM_IDLE_MS: '2000',
  CODY_RUN_TTL_SECONDS: '600',
};

const transport = new RedisTransport({ url: REDIS_URL, prefix });
const store: RedisStore = redisStore(transport.redis, prefix);
const threads = new Set<string>();
const runs = new Map<string, string[]>();
const workers = new Set<WorkerProcess>();

afterAll(async () => {
  for (const worker of workers) worker.child.kill('SIGKILL');
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

describe('persistence workers killed with SIGKILL', { timeout: 180_000 }, () => {
  it(`keeps every snapshot equal to its stream through ${KILLS}+ kills`, async () => {
    for (let i = 0; i < POOL; i++) workers.add(await spawnWorker(env));
    const thread = await store.createThread({ title: 'crash test' });
    threads.add(thread.id);

    let kills = 0;
    const stop = () => kills >= KILLS;
    const drivers = Array.from({ length: 8 }, () => drive(thread.id, stop));

    const spawning = new Set<Promise<void>>();
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
      console.info('kill', kills, Date.now(), workers.size);
      const replacement = spawnWorker(env).then((worker) => {
        workers.add(worker);
      });
      spawning.add(replacement);
      void replacement.finally(() => spawning.delete(replacement));
    }
    console.info('kills done', Date.now());
    await Promise.all(drivers);
    console.info('drivers done', Date.now());
    await Promise.all(spawning);
    console.info('spawned', Date.now());
    expect(kills).toBeGreaterThanOrEqual(KILLS);

    const runIds = [...runs.keys()];
    await waitForTerminal(store, runIds, 90_000);
    console.info('terminal', Date.now());
    for (const [runId, parts] of runs) {
      const entries = await transport.readRange(runId);
      const stored = await store.getRun(runId);
      expect(stored?.response).toEqual(reduceEvents(entries.map((entry) => entry.event)));
      expect(stored?.lastStreamId).toBe(entries.at(-1)?.id);
      expect(stored?.response.status).toBe('complete');
      // no item doubled or lost: the prompt and the answer, whose text is every delta once, in order
      expect(stored?.response.output_items).toHaveLength(2);
      expect((stored?.response.output_items[1] as MessageItem).content).toBe(parts.join(''));
    }

    const group = transport.consumerGroup({ stream: transport.keys.announce, group: PROJECTOR_GROUP, consumer: 'probe' });
    await waitFor(async () => (await group.pendingCount()) === 0, 15_000, 'no pending announce entries');
    for (const runId of runIds) expect(await transport.redis.ttl(transport.keys.runEvents(runId))).toBeGreaterThan(0);

    // the survivors stop cleanly on SIGTERM
    const survivors = [...workers];
    workers.clear();
    for (const worker of survivors) worker.child.kill('SIGTERM');
    expect(await Promise.all(survivors.map((worker) => worker.exited))).toEqual(survivors.map(() => 0));
    console.info(`crash test: ${kills} kills, ${runIds.length} runs`);
  });
});
