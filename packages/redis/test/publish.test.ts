import { randomUUID } from 'node:crypto';
import { CodyError, ERROR_CODES, ValidationError } from '@cody/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTransport } from '../src/index';
import { deleteRunKeys, REDIS_TOPOLOGY, RunBuilder, uniquePrefix } from './helpers';

const prefix = uniquePrefix('redis-publish');
let transport: RedisTransport;
const runs = new Set<string>();

beforeAll(() => {
  transport = new RedisTransport({ topology: REDIS_TOPOLOGY, prefix });
});
afterAll(async () => {
  await deleteRunKeys(transport.redis, prefix, runs);
  await transport.close();
});

function builder(): RunBuilder {
  const run = new RunBuilder();
  runs.add(run.runId);
  return run;
}

describe('publish', () => {
  it('appends valid events in order under the run key and returns increasing entry ids', async () => {
    const run = builder();
    const events = run.messageRun(['Hel', 'lo', ' wörld 🌍']);
    const ids: string[] = [];
    for (const event of events) ids.push(await transport.publish(event));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    const read = await transport.readRange(run.runId);
    expect(read.map((entry) => entry.id)).toEqual(ids);
    expect(read.map((entry) => entry.event)).toEqual(events);
    expect(await transport.redis.xlen(transport.keys.runEvents(run.runId))).toBe(events.length);
  });

  it('rejects an invalid event with a ValidationError naming the field, and writes nothing', async () => {
    const run = builder();
    const bad = { ...run.delta(randomUUID(), 'x') } as Record<string, unknown>;
    bad.payload = { type: 'item_delta', delta_content: 'x' };
    const failure = await transport.publish(bad).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ValidationError);
    expect(CodyError.isInstance(failure) && failure.code).toBe(ERROR_CODES.INVALID_EVENT);
    expect((failure as Error).message).toContain('payload.item_id');
    expect(await transport.redis.exists(transport.keys.runEvents(run.runId))).toBe(0);
  });

  it('rejects an envelope whose type disagrees with its payload', async () => {
    const run = builder();
    const event = { ...run.done(), type: 'item_delta' };
    await expect(transport.publish(event)).rejects.toThrow(/type: must equal payload\.type/);
  });

  it('emit builds the envelope: uuid, timestamp, run id, type = payload.type, no trace context without an SDK', async () => {
    const run = builder();
    const before = Date.now();
    const { id, event } = await transport.emit(run.runId, { type: 'heartbeat' });
    expect(event.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.timestamp).toBeGreaterThanOrEqual(before);
    expect(event.run_id).toBe(run.runId);
    expect(event.type).toBe('heartbeat');
    expect(event.trace_context).toBeUndefined();
    const [stored] = await transport.readRange(run.runId);
    // the bytes in Redis are the event serialised once, handed to readers as they are
    expect(stored).toEqual({ id, event, json: JSON.stringify(event) });
  });

  it('readRange pages through long streams and honours after/until/count', async () => {
    const run = builder();
    const itemId = randomUUID();
    const parts = Array.from({ length: 2500 }, (_, i) => `p${i};`);
    const events = [run.start(), run.messageStart(itemId), ...parts.map((part) => run.delta(itemId, part))];
    const pipeline = transport.redis.pipeline();
    for (const event of events)
      pipeline.xadd(transport.keys.runEvents(run.runId), '*', 'e', JSON.stringify(event));
    await pipeline.exec();
    const all = await transport.readRange(run.runId);
    expect(all).toHaveLength(events.length);
    expect(all.map((entry) => entry.event.event_id)).toEqual(events.map((event) => event.event_id));
    const after = await transport.readRange(run.runId, { after: (all[1999] as { id: string }).id });
    expect(after.map((entry) => entry.id)).toEqual(all.slice(2000).map((entry) => entry.id));
    const window = await transport.readRange(run.runId, { after: (all[9] as { id: string }).id, count: 5 });
    expect(window.map((entry) => entry.id)).toEqual(all.slice(10, 15).map((entry) => entry.id));
    const until = await transport.readRange(run.runId, { until: (all[3] as { id: string }).id });
    expect(until).toHaveLength(4);
  });
});
