import { randomUUID } from 'node:crypto';
import type { StreamEvent } from '@cody/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../src/index';
import {
  createRedisConnection,
  RedisTransport,
  type StreamEntry,
  StreamResetError,
  StreamTailer,
} from '../src/index';
import { keySlot } from '../src/keys-by-slot';
import {
  clientList,
  deleteRunKeys,
  eventually,
  killClients,
  ON_CLUSTER,
  REDIS_TOPOLOGY,
  RunBuilder,
  uniquePrefix,
} from './helpers';

const prefix = uniquePrefix('redis-tail');
// a name unique to this suite, so CLIENT LIST counts only our connections
const name = `t${randomUUID().slice(0, 8)}`;
let transport: RedisTransport;
let admin: RedisClient;
const runs = new Set<string>();

beforeAll(() => {
  transport = new RedisTransport({ topology: REDIS_TOPOLOGY, prefix, name, tailConnections: 2 });
  admin = createRedisConnection(REDIS_TOPOLOGY);
});
afterAll(async () => {
  await deleteRunKeys(admin, prefix, runs);
  await transport.close();
  admin.disconnect();
});

function builder(): RunBuilder {
  const run = new RunBuilder();
  runs.add(run.runId);
  return run;
}

/** Collects a tail into an array until `stop` says so (or the signal ends it). */
async function collect(
  tail: AsyncIterable<StreamEntry>,
  stop: (entries: StreamEntry[]) => boolean,
  onEntry?: (entry: StreamEntry) => Promise<void> | void,
): Promise<StreamEntry[]> {
  const entries: StreamEntry[] = [];
  for await (const entry of tail) {
    entries.push(entry);
    await onEntry?.(entry);
    if (stop(entries)) break;
  }
  return entries;
}

async function tailConnections(): Promise<number> {
  return (await clientList(admin)).filter(({ line }) => line.includes(`name=${name}:tail`)).length;
}

describe('tail', () => {
  it('yields live entries in publish order and ends when the signal aborts', async () => {
    const run = builder();
    const events = run.messageRun(Array.from({ length: 200 }, (_, i) => `${i} `));
    const controller = new AbortController();
    const reading = collect(
      transport.tail(run.runId, '0-0', controller.signal),
      (got) => got.length === events.length,
    );
    for (const event of events) await transport.publish(event);
    const entries = await reading;
    expect(entries.map((entry) => entry.event)).toEqual(events);

    // a tail with nothing to read returns as soon as its signal aborts
    const idle = collect(transport.tail(builder().runId, '0-0', controller.signal), () => false);
    controller.abort();
    expect(await idle).toEqual([]);
  });

  it('serves many readers of many runs on a bounded number of connections, without crosstalk', async () => {
    const builders = Array.from({ length: 50 }, () => builder());
    const expected = new Map<string, StreamEvent[]>();
    for (const run of builders)
      expected.set(run.runId, run.messageRun(Array.from({ length: 20 }, (_, i) => `${run.runId}:${i};`)));
    // 4 readers per run, some joining from the start, some after the first entries exist
    const readings: Promise<{ runId: string; events: StreamEvent[] }>[] = [];
    for (const run of builders) {
      for (let r = 0; r < 2; r++) {
        const want = (expected.get(run.runId) as StreamEvent[]).length;
        readings.push(
          collect(transport.tail(run.runId), (got) => got.length === want).then((entries) => ({
            runId: run.runId,
            events: entries.map((entry) => entry.event),
          })),
        );
      }
    }
    await Promise.all(
      builders.map(async (run) => {
        for (const event of (expected.get(run.runId) as StreamEvent[]).slice(0, 5))
          await transport.publish(event);
      }),
    );
    for (const run of builders) {
      for (let r = 0; r < 2; r++) {
        const want = (expected.get(run.runId) as StreamEvent[]).length;
        readings.push(
          collect(transport.tail(run.runId), (got) => got.length === want).then((entries) => ({
            runId: run.runId,
            events: entries.map((entry) => entry.event),
          })),
        );
      }
    }
    expect(transport.tailer.stats().readers).toBe(200);
    await Promise.all(
      builders.map(async (run) => {
        for (const event of (expected.get(run.runId) as StreamEvent[]).slice(5))
          await transport.publish(event);
      }),
    );
    const results = await Promise.all(readings);
    for (const result of results) expect(result.events).toEqual(expected.get(result.runId));
    // a single node: the configured 2; a cluster: one per slot followed (an XREAD names one slot)
    const bound = ON_CLUSTER
      ? new Set(builders.map((run) => keySlot(transport.keys.runEvents(run.runId)))).size
      : 2;
    expect(transport.tailer.stats().connections).toBeLessThanOrEqual(bound);
    expect(await tailConnections()).toBeLessThanOrEqual(bound);
    // readers that ended were removed: nothing is left subscribed
    expect(transport.tailer.stats().readers).toBe(0);
  });

  it('resumes after a given id with no gap and no duplicate', async () => {
    const run = builder();
    const events = run.messageRun(Array.from({ length: 100 }, (_, i) => `${i},`));
    for (const event of events) await transport.publish(event);
    const first = await collect(transport.tail(run.runId), (got) => got.length === 37);
    const rest = await collect(
      transport.tail(run.runId, (first.at(-1) as StreamEntry).id),
      (got) => got.length === events.length - 37,
    );
    expect([...first, ...rest].map((entry) => entry.event)).toEqual(events);
    expect(new Set([...first, ...rest].map((entry) => entry.id)).size).toBe(events.length);
  });

  it('keeps every reader exact across a dropped connection (resumes from each reader last id)', async () => {
    const builders = Array.from({ length: 10 }, () => builder());
    const expected = new Map(
      builders.map((run) => [run.runId, run.messageRun(Array.from({ length: 300 }, (_, i) => `${i}.`))]),
    );
    const readings = builders.map((run) =>
      collect(
        transport.tail(run.runId),
        (got) => got.length === (expected.get(run.runId) as StreamEvent[]).length,
      ),
    );
    let kills = 0;
    const killer = (async () => {
      // drop the tailer's blocking connections (as a network failure would) while events flow
      for (let round = 0; round < 5; round++) {
        await new Promise((resolve) => setTimeout(resolve, 40));
        kills += await killClients(admin, (line) => line.includes(`name=${name}:tail`));
      }
    })();
    await Promise.all(
      builders.map(async (run) => {
        for (const event of expected.get(run.runId) as StreamEvent[]) await transport.publish(event);
      }),
    );
    await killer;
    const results = await Promise.all(readings);
    expect(kills).toBeGreaterThan(0);
    builders.forEach((run, i) => {
      const entries = results[i] as StreamEntry[];
      expect(entries.map((entry) => entry.event)).toEqual(expected.get(run.runId));
    });
  });

  it('ends a reader with StreamResetError when, after a reconnect, its stream lost the entry it had reached', async () => {
    const run = builder();
    const events = run.messageRun(['a', 'b', 'c']);
    for (const event of events.slice(0, 3)) await transport.publish(event);
    const received: StreamEntry[] = [];
    const reading = (async () => {
      for await (const entry of transport.tail(run.runId)) received.push(entry);
    })().catch((error: unknown) => error);
    await eventually(() => received.length === 3);
    // what a restart without persistence does: the stream is gone, the connection dropped
    await admin.del(transport.keys.runEvents(run.runId));
    await killClients(admin, (line) => line.includes(`name=${name}:tail`));
    for (const event of events.slice(3)) await transport.publish(event);
    const error = await reading;
    expect((error as { code?: string }).code).toBe('RUN_STREAM_LOST');
    expect(error).toBeInstanceOf(StreamResetError);
    // nothing after the gap was delivered
    expect(received.map((entry) => entry.event)).toEqual(events.slice(0, 3));
  });

  it('a reader joining while a re-sent read is blocked after a reconnect still starts at once', async () => {
    // blocks so long that only an interrupted read can serve the joining reader within the test
    const control = createRedisConnection(REDIS_TOPOLOGY);
    const tag = `j${randomUUID().slice(0, 8)}`;
    const tailer = new StreamTailer({
      keys: transport.keys,
      control,
      groupBySlot: ON_CLUSTER,
      connect: (connectionName) =>
        createRedisConnection(REDIS_TOPOLOGY, { name: `${tag}:${connectionName}:${process.pid}` }),
      blockMs: 600_000,
    });
    try {
      const idle = builder();
      const busy = builder();
      const subscription = tailer.subscribe(idle.runId, '0-0', { onEntries: () => {} });
      // the tailer's connections blocked in XREAD (a cluster client also keeps idle ones to other nodes)
      const blocked = async () =>
        (await clientList(admin))
          .filter(
            ({ line }) =>
              line.includes(`name=${tag}:`) && / flags=\S*b/.test(line) && line.includes('cmd=xread'),
          )
          .map(({ line }) => line);
      await eventually(async () => (await blocked()).length === 1);
      const id = /(?:^| )id=(\d+)/.exec((await blocked())[0] as string)?.[1] as string;
      await killClients(admin, (line) => line.includes(`id=${id} `));
      // reconnected: ioredis re-sends the blocked read first
      await eventually(async () => {
        const lines = await blocked();
        return lines.length === 1 && !lines[0]?.includes(`id=${id} `);
      });
      const events = busy.messageRun(['x']);
      for (const event of events) await transport.publish(event);
      const got = await collect(tailer.tail(busy.runId), (entries) => entries.length === events.length);
      expect(got.map((entry) => entry.event)).toEqual(events);
      subscription.close();
    } finally {
      await tailer.close();
      control.disconnect();
    }
  });

  it('pauses a slow reader instead of buffering without bound, and loses nothing', async () => {
    const control = createRedisConnection(REDIS_TOPOLOGY);
    const tailer = new StreamTailer({
      keys: transport.keys,
      control,
      groupBySlot: ON_CLUSTER,
      connect: (connectionName) => createRedisConnection(REDIS_TOPOLOGY, { name: connectionName }),
      highWaterMark: 100,
      count: 50,
    });
    try {
      const run = builder();
      const events = run.messageRun(Array.from({ length: 3000 }, (_, i) => `${i}`));
      const pipeline = transport.redis.pipeline();
      for (const event of events)
        pipeline.xadd(transport.keys.runEvents(run.runId), '*', 'e', JSON.stringify(event));
      await pipeline.exec();
      let sawPaused = false;
      const entries = await collect(
        tailer.tail(run.runId),
        (got) => got.length === events.length,
        async (entry) => {
          if (
            entry.event.type === 'item_delta' &&
            Number((entry.event.payload as { delta_content: string }).delta_content) % 250 === 0
          ) {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          sawPaused ||= tailer.stats().paused === 1;
        },
      );
      expect(sawPaused).toBe(true);
      expect(entries.map((entry) => entry.event.event_id)).toEqual(events.map((event) => event.event_id));
    } finally {
      await tailer.close();
      control.disconnect();
    }
  });

  it('delivers to callback subscribers and stops after close()', async () => {
    const run = builder();
    const got: string[] = [];
    const subscription = transport.tailer.subscribe(run.runId, '0-0', {
      onEntries: (entries) => {
        for (const entry of entries) got.push(entry.id);
      },
    });
    const first = await transport.publish(run.start());
    await eventually(() => got.length === 1);
    expect(got).toEqual([first]);
    expect(subscription.cursor).toBe(first);
    subscription.close();
    await transport.publish(run.done());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(got).toEqual([first]);
  });

  it('a paused subscriber gets nothing until resume, then the rest exactly once, while others read on', async () => {
    const run = builder();
    const events = run.messageRun(Array.from({ length: 40 }, (_, i) => `${i} `));
    const steady: string[] = [];
    const slow: string[] = [];
    transport.subscribe(run.runId, '0-0', {
      onEntries: (entries) => {
        for (const entry of entries) steady.push(entry.event.event_id);
      },
    });
    const paused = transport.subscribe(run.runId, '0-0', {
      onEntries: (entries) => {
        for (const entry of entries) slow.push(entry.event.event_id);
        paused.pause();
      },
    });
    const half = events.length / 2;
    for (const event of events.slice(0, half)) await transport.publish(event);
    await eventually(() => steady.length === half && slow.length > 0);
    const seenWhilePaused = slow.length;
    for (const event of events.slice(half)) await transport.publish(event);
    await eventually(() => steady.length === events.length);
    // the steady reader's batches arrived; none of them reached the paused one
    expect(slow.length).toBe(seenWhilePaused);
    expect(paused.paused).toBe(true);
    const ids = events.map((event) => event.event_id);
    while (slow.length < ids.length) {
      const before = slow.length;
      paused.resume();
      await eventually(() => slow.length > before);
    }
    expect(slow).toEqual(ids);
    expect(steady).toEqual(ids);
  });

  it('a closed tailer ends its readers with TailerClosedError', async () => {
    const own = new RedisTransport({ topology: REDIS_TOPOLOGY, prefix, name: `${name}c` });
    const run = builder();
    const reading = collect(own.tail(run.runId), () => false).catch((error: unknown) => error);
    await eventually(() => own.tailer.stats().readers === 1);
    await own.close();
    const error = await reading;
    expect((error as { code?: string }).code).toBe('TAILER_CLOSED');
  });
});
