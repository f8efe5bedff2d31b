import { randomUUID } from 'node:crypto';
import { PROJECTOR_GROUP, RedisTransport } from '@cody/redis';
import { reduceEvents } from '@cody/reducer';
import { ERROR_CODES, type MessageItem, type StreamEvent } from '@cody/schema';
import type { RedisStore } from '@cody/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersistenceWorker } from '../src/persistence/persistence-worker';
import {
  cleanup,
  driveRun,
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

const prefix = uniquePrefix('persistence');
const threads = new Set<string>();
const runIds = new Set<string>();
let transport: RedisTransport;
let store: RedisStore;
const workers: PersistenceWorker[] = [];

async function startWorker(options: Partial<ConstructorParameters<typeof PersistenceWorker>[0]> = {}) {
  const own = new RedisTransport({ url: REDIS_URL, prefix });
  const worker = new PersistenceWorker({
    transport: own,
    store: redisStore(own.redis, prefix),
    logger: testLogger,
    ...options,
  });
  await worker.start();
  workers.push(worker);
  return { worker, transport: own };
}

async function newRun(): Promise<RunBuilder> {
  const thread = await store.createThread({ title: 'persistence test' });
  threads.add(thread.id);
  const run = new RunBuilder(thread.id);
  runIds.add(run.runId);
  return run;
}

/**
 * The stored snapshot equals the reduction of the run's whole stream, and exactly the
 * reduction of the entries up to its lastStreamId (what a client resuming from it relies on).
 */
async function expectSnapshotMatchesStream(runId: string) {
  const stored = await store.getRun(runId);
  expect(stored?.response).toEqual((await reduceStream(transport, runId)).response);
  const upTo = await transport.readRange(runId, { until: stored?.lastStreamId ?? '0-0' });
  expect(upTo.at(-1)?.id).toBe(stored?.lastStreamId);
  expect(reduceEvents(upTo.map((entry) => entry.event))).toEqual(stored?.response);
  return stored;
}

beforeAll(async () => {
  transport = new RedisTransport({ url: REDIS_URL, prefix });
  store = redisStore(transport.redis, prefix);
  await startWorker();
  await startWorker();
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await cleanup(transport.redis, store, prefix, threads, runIds);
  await transport.close();
});

describe('persistence worker', () => {
  it('persists a run, acks its announce entry and gives its keys a TTL', async () => {
    const run = await newRun();
    await driveRun(transport, run, run.answer(['Hello', ', ', 'world']));
    await waitForTerminal(store, [run.runId]);
    const stored = await expectSnapshotMatchesStream(run.runId);
    expect(stored?.response.status).toBe('complete');
    expect(stored?.response.output_items.map((item) => (item as MessageItem).content)).toEqual([
      'hello',
      'Hello, world',
    ]);
    await waitFor(
      async () => (await transport.redis.ttl(transport.keys.runEvents(run.runId))) > 0,
      10_000,
      'events TTL',
    );
    const pending = (await transport.redis.call('XPENDING', transport.keys.announce, PROJECTOR_GROUP)) as [
      number,
    ];
    expect(pending[0]).toBe(0);
  });

  it('persists 50 concurrent runs without crosstalk', async () => {
    const runs = await Promise.all(Array.from({ length: 50 }, () => newRun()));
    await Promise.all(
      runs.map((run) =>
        driveRun(
          transport,
          run,
          run.answer(Array.from({ length: 40 }, (_, i) => `${run.runId.slice(0, 8)}:${i} `)),
          { delayMs: 2 },
        ),
      ),
    );
    await waitForTerminal(
      store,
      runs.map((run) => run.runId),
    );
    for (const run of runs) {
      const stored = await expectSnapshotMatchesStream(run.runId);
      expect(stored?.response.thread_id).toBe(run.threadId);
      const answer = stored?.response.output_items[1] as MessageItem;
      expect(answer.content).toBe(
        Array.from({ length: 40 }, (_, i) => `${run.runId.slice(0, 8)}:${i} `).join(''),
      );
    }
  });

  it('keeps a 1000-delta run published with no delay in order, with far fewer writes than events', async () => {
    const run = await newRun();
    const parts = Array.from({ length: 1000 }, (_, i) => `${i};`);
    const before = workers.reduce((sum, worker) => sum + worker.stats().writes, 0);
    await driveRun(transport, run, run.answer(parts), { pipeline: true });
    await waitForTerminal(store, [run.runId]);
    const stored = await expectSnapshotMatchesStream(run.runId);
    expect(messageText(stored, 1)).toBe(parts.join(''));
    const writes = workers.reduce((sum, worker) => sum + worker.stats().writes, 0) - before;
    // coalesced: a write reflects many events, never one write per delta
    expect(writes).toBeLessThan(100);
  });

  it('persists a 1 MiB run of 600 deltas and a 10 MiB run byte-exact', async () => {
    const small = await newRun();
    const large = await newRun();
    // multi-byte text split anywhere, including inside surrogate pairs
    const chunk = (size: number, seed: number) =>
      Array.from({ length: size }, (_, i) => 'aé漢🌍\n"\\'[(i + seed) % 7]).join('');
    const smallParts = Array.from({ length: 600 }, (_, i) => chunk(1800, i));
    const largeParts = Array.from({ length: 1000 }, (_, i) => chunk(10_600, i));
    await Promise.all([
      driveRun(transport, small, small.answer(smallParts), { pipeline: true }),
      driveRun(transport, large, large.answer(largeParts), { pipeline: true }),
    ]);
    await waitForTerminal(store, [small.runId, large.runId], 120_000);
    for (const [run, parts] of [
      [small, smallParts],
      [large, largeParts],
    ] as const) {
      const stored = await store.getRun(run.runId);
      const content = messageText(stored, 1);
      const expected = parts.join('');
      expect(Buffer.byteLength(content)).toBe(Buffer.byteLength(expected));
      expect(Buffer.from(content).equals(Buffer.from(expected))).toBe(true);
      expect(stored?.lastStreamId).toBe((await reduceStream(transport, run.runId)).lastId);
    }
    expect(Buffer.byteLength(smallParts.join(''))).toBeGreaterThanOrEqual(1024 * 1024);
    expect(Buffer.byteLength(largeParts.join(''))).toBeGreaterThanOrEqual(10 * 1024 * 1024);
  });

  it('stores STREAM_SEQUENCE_ERROR for a delta before its item_start, without the half item', async () => {
    const run = await newRun();
    const started = randomUUID();
    const orphan = randomUUID();
    await driveRun(transport, run, [
      run.messageStart(started),
      run.delta(started, 'half'),
      run.delta(orphan, 'x'),
      run.done(),
    ]);
    await waitForTerminal(store, [run.runId]);
    const stored = await expectSnapshotMatchesStream(run.runId);
    expect(stored?.response.status).toBe('error');
    expect(stored?.response.error?.code).toBe(ERROR_CODES.STREAM_SEQUENCE_ERROR);
    expect(stored?.response.output_items.map((item) => item.id)).not.toContain(started);
  });

  it('ends a run whose driver stopped renewing its lease with RUN_OWNER_LOST, keeping what streamed', async () => {
    const run = await newRun();
    const itemId = randomUUID();
    const owner = 'crashing-driver';
    await transport.leases.acquire(run.runId, owner);
    for (const event of [
      ...run.opening(),
      run.messageStart(itemId),
      run.delta(itemId, 'partial '),
      run.delta(itemId, 'answer'),
    ]) {
      await transport.publish(event);
    }
    await transport.announceRun(run.runId);
    // the driver dies: nobody renews, nobody releases; the lease lapses on its own
    const seen: StreamEvent[] = [];
    const controller = new AbortController();
    const reader = (async () => {
      for await (const entry of transport.tail(run.runId, '0-0', controller.signal)) {
        seen.push(entry.event);
        if (entry.event.type === 'response_error') break;
      }
    })();
    await waitForTerminal(store, [run.runId]);
    await reader;
    const stored = await expectSnapshotMatchesStream(run.runId);
    expect(stored?.response.status).toBe('error');
    expect(stored?.response.error?.code).toBe(ERROR_CODES.RUN_OWNER_LOST);
    expect(messageText(stored, 1)).toBe('partial answer');
    // every reader of the stream sees the ending
    expect(seen.map((event) => event.type).slice(-2)).toEqual(['item_error', 'response_error']);
    expect(workers.reduce((sum, worker) => sum + worker.stats().ownerLostRuns, 0)).toBeGreaterThanOrEqual(1);
  });

  it('does not watch a lease for a run that never had one', async () => {
    const run = await newRun();
    const itemId = randomUUID();
    for (const event of [...run.opening(), run.messageStart(itemId)]) await transport.publish(event);
    await transport.announceRun(run.runId);
    await waitFor(async () => (await store.getRun(run.runId)) ?? undefined, 300_000, 'first snapshot');
    // several watchdog ticks pass without a lease: still streaming
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await store.getRun(run.runId))?.response.status).toBe('in_progress');
    for (const event of [run.delta(itemId, 'late'), run.messageDone(itemId, 'late'), run.done()])
      await transport.publish(event);
    await waitForTerminal(store, [run.runId]);
    expect((await expectSnapshotMatchesStream(run.runId))?.response.status).toBe('complete');
  });

  it('drops (and acks) a run whose thread was deleted, instead of retrying forever', async () => {
    const run = await newRun();
    const itemId = randomUUID();
    await store.deleteThread(run.threadId);
    await driveRun(transport, run, [run.messageStart(itemId), run.messageDone(itemId, 'x'), run.done()]);
    await waitFor(
      async () =>
        (
          (await transport.redis.call('XPENDING', transport.keys.announce, PROJECTOR_GROUP)) as [number]
        )[0] === 0,
      15_000,
      'announce entry acked',
    );
    expect(await store.getRun(run.runId)).toBeNull();
  });
});

describe('graceful stop and takeover', () => {
  it('stop() flushes the snapshot and leaves the run pending; another worker claims it and finishes it exactly', async () => {
    // a worker alone on its own prefix, so it surely owns the run
    const isolated = uniquePrefix('persistence-handover');
    const feed = new RedisTransport({ url: REDIS_URL, prefix: isolated });
    const isolatedStore = redisStore(feed.redis, isolated);
    const thread = await isolatedStore.createThread({});
    const run = new RunBuilder(thread.id);
    const make = (options: { claimIdleMs?: number } = {}) =>
      new PersistenceWorker({
        transport: feed,
        store: isolatedStore,
        logger: testLogger,
        claimIdleMs: options.claimIdleMs ?? 1000,
      });
    const first = make();
    await first.start();
    const itemId = randomUUID();
    const owner = 'driver';
    await feed.leases.acquire(run.runId, owner);
    const keeper = feed.keepLease(run.runId, owner);
    try {
      for (const event of [...run.opening(), run.messageStart(itemId)]) await feed.publish(event);
      await feed.announceRun(run.runId);
      for (let i = 0; i < 50; i++) await feed.publish(run.delta(itemId, `a${i} `));
      await waitFor(
        async () =>
          (await isolatedStore.getRun(run.runId))?.lastStreamId ===
          (await reduceStream(feed, run.runId)).lastId,
        10_000,
        'flush',
      );
      await first.stop();
      const group = feed.consumerGroup({
        stream: feed.keys.announce,
        group: PROJECTOR_GROUP,
        consumer: 'probe',
      });
      const pending = await group.pending();
      expect(pending.map((entry) => entry.consumer)).toEqual([first.consumer]);
      const halfway = await isolatedStore.getRun(run.runId);
      expect(messageText(halfway, 1)).toContain('a49 ');

      // the item is still streaming across the handover
      for (let i = 0; i < 50; i++) await feed.publish(run.delta(itemId, `b${i} `));
      const second = make();
      await second.start();
      for (const event of [run.messageDone(itemId, 'final'), run.done()]) await feed.publish(event);
      await waitForTerminal(isolatedStore, [run.runId]);
      const stored = await isolatedStore.getRun(run.runId);
      const reference = await reduceStream(feed, run.runId);
      expect(stored?.response).toEqual(reference.response);
      expect(stored?.lastStreamId).toBe(reference.lastId);
      expect(second.stats().claimedEntries).toBe(1);
      expect(await group.pendingCount()).toBe(0);
      await second.stop();
    } finally {
      await keeper.stop();
      await cleanup(feed.redis, isolatedStore, isolated, [thread.id], [run.runId]);
      await feed.close();
    }
  });
});
