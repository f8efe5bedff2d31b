import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { createRedisConnection, PROJECTOR_GROUP, REDIS_ERROR_CODES, RedisTransport } from '@cody/redis';
import { ERROR_CODES, type MessageItem } from '@cody/schema';
import type { RedisStore } from '@cody/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersistenceWorker } from '../src/persistence/persistence-worker';
import {
  cleanup,
  messageText,
  REDIS_URL,
  RunBuilder,
  redisStore,
  reduceStream,
  testLogger,
  uniquePrefix,
  waitFor,
  waitForTerminal,
} from './persistence-helpers';

// The transport Redis is a redis-server of our own, restarted mid-run without persistence, so
// it comes back empty: streams, announce entries, groups and leases are gone. The store lives
// in the suite's usual Redis (a durable store, as Convex or a persistent Redis would be).
//
// What "every run ends" means after such a restart, and what this test holds the system to:
// - runs that finished before the restart stay `complete`;
// - runs in flight end `error`: `RUN_STREAM_LOST` (the worker saw its stream lose what it had
//   reduced) or `RUN_OWNER_LOST` (their driver's lease vanished), keeping exactly what was
//   reduced before the restart, never anything after a gap;
// - runs started after the restart complete normally;
// - a run whose announcement no worker had read yet is known only to its driver: the test
//   waits until every run is owned before restarting, and the README says so.
const prefix = uniquePrefix('persistence-restart');
let port = 0;
let server: ChildProcess | undefined;
let transport: RedisTransport;
let storeTransport: RedisTransport;
let store: RedisStore;
const workers: PersistenceWorker[] = [];
const workerTransports: RedisTransport[] = [];
const threads = new Set<string>();
const runIds = new Set<string>();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startRedis(): Promise<void> {
  server = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'],
    {
      stdio: 'ignore',
    },
  );
  const probe = createRedisConnection(`redis://127.0.0.1:${port}`);
  try {
    await waitFor(async () => (await probe.ping().catch(() => '')) === 'PONG', 300_000, 'redis-server up');
  } finally {
    probe.disconnect();
  }
}

async function stopRedis(signal: NodeJS.Signals): Promise<void> {
  const running = server;
  if (!running || running.exitCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.kill(signal);
  await exited;
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  const url = `redis://127.0.0.1:${port}`;
  transport = new RedisTransport({ url, prefix });
  storeTransport = new RedisTransport({ url: REDIS_URL, prefix });
  store = redisStore(storeTransport.redis, prefix);
  for (let i = 0; i < 2; i++) {
    const own = new RedisTransport({ url, prefix, logger: testLogger });
    workerTransports.push(own);
    const worker = new PersistenceWorker({ transport: own, store, logger: testLogger, claimIdleMs: 2000 });
    await worker.start();
    workers.push(worker);
  }
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop({ timeoutMs: 5000 })));
  await Promise.all(workerTransports.map((own) => own.close()));
  await transport.close();
  await stopRedis('SIGKILL');
  await cleanup(storeTransport.redis, store, prefix, threads, runIds);
  await storeTransport.close();
});

interface Driven {
  run: RunBuilder;
  parts: string[];
  done: Promise<void>;
}

/** A driver that streams until `until`, and stops (as a real driver must) when it loses its lease. */
function drive(threadId: string, until: () => boolean): Driven {
  const run = new RunBuilder(threadId);
  runIds.add(run.runId);
  const parts: string[] = [];
  const done = (async () => {
    const owner = `driver-${randomUUID().slice(0, 8)}`;
    await transport.leases.acquire(run.runId, owner);
    const keeper = transport.keepLease(run.runId, owner);
    for (const event of run.opening()) await transport.publish(event);
    await transport.announceRun(run.runId);
    const itemId = randomUUID();
    await transport.publish(run.messageStart(itemId));
    while (!until() && !keeper.signal.aborted) {
      const part = `${parts.length}:${randomUUID().slice(0, 4)} `;
      parts.push(part);
      await transport.publish(run.delta(itemId, part));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (!keeper.signal.aborted) {
      await transport.publish(run.messageDone(itemId, parts.join('')));
      await transport.publish(run.done());
    }
    await keeper.stop();
  })();
  return { run, parts, done };
}

describe('Redis restarted without persistence mid-run', () => {
  it('reconnects and ends every run complete or error, none in progress', async () => {
    const thread = await store.createThread({ title: 'restart test' });
    threads.add(thread.id);

    let restarted = false;
    const shortRuns = Array.from({ length: 3 }, () => {
      const started = Date.now();
      return drive(thread.id, () => Date.now() - started > 300);
    });
    const longRuns = Array.from({ length: 8 }, () => drive(thread.id, () => restarted));
    await Promise.all(shortRuns.map((driven) => driven.done));
    await waitForTerminal(
      store,
      shortRuns.map((driven) => driven.run.runId),
    );
    // every long run is owned (it has a snapshot) and has streamed a while
    await waitFor(
      async () => {
        const stored = await Promise.all(longRuns.map((driven) => store.getRun(driven.run.runId)));
        return stored.every(
          (run) => run !== null && (run.response.output_items[1] as MessageItem | undefined)?.content,
        );
      },
      20_000,
      'long runs owned',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));

    await stopRedis('SIGKILL');
    // down for a second: clients back off, commands queue, drivers keep publishing into the void
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await startRedis();
    restarted = true;
    await Promise.all(longRuns.map((driven) => driven.done));

    // runs started after the restart
    const afterRuns = Array.from({ length: 4 }, () => {
      const started = Date.now();
      return drive(thread.id, () => Date.now() - started > 500);
    });
    await Promise.all(afterRuns.map((driven) => driven.done));

    const all = [...shortRuns, ...longRuns, ...afterRuns];
    await waitForTerminal(
      store,
      all.map((driven) => driven.run.runId),
    );

    for (const driven of shortRuns) {
      expect((await store.getRun(driven.run.runId))?.response.status).toBe('complete');
    }
    for (const driven of longRuns) {
      const stored = await store.getRun(driven.run.runId);
      expect(stored?.response.status).toBe('error');
      expect([REDIS_ERROR_CODES.RUN_STREAM_LOST, ERROR_CODES.RUN_OWNER_LOST]).toContain(
        stored?.response.error?.code,
      );
      // what was reduced before the restart, in order, with nothing after a gap
      const content = messageText(stored, 1);
      expect(content.length).toBeGreaterThan(0);
      expect(driven.parts.join('').startsWith(content)).toBe(true);
      expect(content.endsWith(' ')).toBe(true);
    }
    for (const driven of afterRuns) {
      const stored = await store.getRun(driven.run.runId);
      const reference = await reduceStream(transport, driven.run.runId);
      expect(stored?.response.status).toBe('complete');
      expect(stored?.response).toEqual(reference.response);
      expect(stored?.lastStreamId).toBe(reference.lastId);
    }
    const lost = workers.reduce(
      (sum, worker) => sum + worker.stats().streamLostRuns + worker.stats().ownerLostRuns,
      0,
    );
    expect(lost).toBe(longRuns.length);

    const group = transport.consumerGroup({
      stream: transport.keys.announce,
      group: PROJECTOR_GROUP,
      consumer: 'probe',
    });
    await waitFor(async () => (await group.pendingCount()) === 0, 300_000, 'no pending announce entries');
    for (const driven of [...longRuns, ...afterRuns]) {
      expect(await transport.redis.ttl(transport.keys.runEvents(driven.run.runId))).toBeGreaterThan(0);
    }
  });
});
