// When snapshots are written (issue #11: persist what matters): at once for a new run, soon after
// an item finishes, rarely inside a streaming item, and always at the terminal event.
import { randomUUID } from 'node:crypto';
import { RedisTransport } from '@cody/redis';
import type { MessageItem } from '@cody/schema';
import type { RedisStore } from '@cody/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersistenceWorker } from '../src/persistence/persistence-worker';
import {
  cleanup,
  REDIS_URL,
  RunBuilder,
  redisStore,
  testLogger,
  uniquePrefix,
  waitFor,
  waitForTerminal,
} from './persistence-helpers';

const prefix = uniquePrefix('persistence-cadence');
const threads = new Set<string>();
const runIds = new Set<string>();
let transport: RedisTransport;
let store: RedisStore;
let worker: PersistenceWorker;

beforeAll(async () => {
  transport = new RedisTransport({ url: REDIS_URL, prefix });
  store = redisStore(transport.redis, prefix);
  // progress inside an item is never due within this test: only boundaries and the end write
  worker = new PersistenceWorker({
    transport: new RedisTransport({ url: REDIS_URL, prefix }),
    store: redisStore(transport.redis, prefix),
    logger: testLogger,
    writeIntervalMs: 20,
    liveIntervalMs: 600_000,
  });
  await worker.start();
});

afterAll(async () => {
  await worker.stop();
  await cleanup(transport.redis, store, prefix, threads, runIds);
  await transport.close();
});

describe('snapshot cadence', () => {
  it('writes the new run at once, a finished item soon, the progress inside an item not before its end', async () => {
    const thread = await store.createThread({ title: 'cadence' });
    threads.add(thread.id);
    const run = new RunBuilder(thread.id);
    runIds.add(run.runId);
    for (const event of run.opening()) await transport.publish(event);
    await transport.announceRun(run.runId);
    await waitFor(async () => (await store.getRun(run.runId)) !== null, 30_000, 'the first snapshot');

    const first = randomUUID();
    await transport.publish(run.messageStart(first));
    for (let i = 0; i < 50; i++) await transport.publish(run.delta(first, `${i} `));
    const text = Array.from({ length: 50 }, (_, i) => `${i} `).join('');
    await transport.publish(run.messageDone(first, text));
    // the finished item is stored while the run is still live
    const stored = await waitFor(
      async () => {
        const snapshot = await store.getRun(run.runId);
        const item = snapshot?.response.output_items.find((candidate) => candidate.id === first);
        return (item as MessageItem | undefined)?.content === text ? snapshot : undefined;
      },
      30_000,
      'the finished item in the snapshot',
    );
    expect(stored?.response.status).toBe('in_progress');

    // the count once the boundary write has been counted (it is counted just after it lands)
    const writes = await waitFor(
      async () => {
        const seen = worker.stats().writes;
        await new Promise((resolve) => setTimeout(resolve, 25));
        return worker.stats().writes === seen ? seen : undefined;
      },
      30_000,
      'the write count to settle',
    );
    // the next item streams for a while (paced like a model): none of its progress is written
    const second = randomUUID();
    await transport.publish(run.messageStart(second));
    for (let i = 0; i < 20; i++) {
      await transport.publish(run.delta(second, `b${i} `));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await transport.publish(run.done());
    await waitForTerminal(store, [run.runId]);
    // one write for the whole second item: the terminal one
    expect(worker.stats().writes - writes).toBe(1);
    const final = await store.getRun(run.runId);
    expect(final?.response.status).toBe('complete');
  });
});
