import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../src/index';
import { createRedisConnection, HANDOVER_OWNER, RedisTransport } from '../src/index';
import { deleteRunKeys, REDIS_TOPOLOGY, RunBuilder, uniquePrefix } from './helpers';

const prefix = uniquePrefix('redis-approvals');
let transport: RedisTransport;
let other: RedisTransport;
let admin: RedisClient;
const runs = new Set<string>();

beforeAll(() => {
  transport = new RedisTransport({ topology: REDIS_TOPOLOGY, prefix });
  other = new RedisTransport({ topology: REDIS_TOPOLOGY, prefix });
  admin = createRedisConnection(REDIS_TOPOLOGY);
});
afterAll(async () => {
  await deleteRunKeys(admin, prefix, runs);
  await admin.del(transport.keys.handover);
  await transport.close();
  await other.close();
  admin.disconnect();
});

async function openRun() {
  const run = new RunBuilder();
  runs.add(run.runId);
  await transport.publish(run.start());
  const itemId = randomUUID();
  const requested = () =>
    run.event({ type: 'approval_requested', item_id: itemId, call_id: 'call_1', tool: 'exec' });
  const decided = (decision: 'approved' | 'denied') =>
    run.event({ type: 'approval_decided', item_id: itemId, call_id: 'call_1', decision, decided_by: 'user' });
  return { run, requested, decided };
}

const types = async (runId: string) => (await transport.readRange(runId)).map((entry) => entry.event.type);

describe('approvals', () => {
  it('request marks the call pending once, publishing its event in the same script', async () => {
    const { run, requested } = await openRun();
    expect(await transport.approvals.request(run.runId, 'call_1', requested())).toEqual({
      status: 'requested',
    });
    expect(await transport.approvals.request(run.runId, 'call_1', requested())).toEqual({
      status: 'existing',
      approval: 'pending',
    });
    expect(await transport.approvals.get(run.runId, 'call_1')).toBe('pending');
    expect(await types(run.runId)).toEqual(['response_start', 'approval_requested']);
  });

  it('of two deciders in two processes, exactly one wins', async () => {
    const { run, requested, decided } = await openRun();
    await transport.approvals.request(run.runId, 'call_1', requested());
    const outcomes = await Promise.all([
      transport.approvals.decide(run.runId, 'call_1', decided('approved')),
      other.approvals.decide(run.runId, 'call_1', decided('denied')),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'decided')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.status === 'already')).toHaveLength(1);
    expect((await types(run.runId)).filter((type) => type === 'approval_decided')).toHaveLength(1);
  });

  it('a call never asked is not_found; a call already answered is already decided; no stream is gone', async () => {
    const { run, requested, decided } = await openRun();
    expect(await transport.approvals.decide(run.runId, 'call_1', decided('approved'))).toEqual({
      status: 'not_found',
    });
    await transport.approvals.request(run.runId, 'call_1', requested());
    await admin.hset(transport.keys.runCalls(run.runId), 'call_1', 'done');
    expect(await transport.approvals.decide(run.runId, 'call_1', decided('approved'))).toEqual({
      status: 'already',
      current: 'answered',
    });
    const missing = new RunBuilder();
    const event = missing.event({
      type: 'approval_decided',
      item_id: randomUUID(),
      call_id: 'call_1',
      decision: 'approved',
    });
    expect(await transport.approvals.decide(missing.runId, 'call_1', event)).toEqual({ status: 'gone' });
    expect(await admin.exists(transport.keys.runEvents(missing.runId))).toBe(0);
  });
});

describe('lease hand-over', () => {
  it('a handed-over run is listed, held by `handover`, and adopted by exactly one process', async () => {
    const { run } = await openRun();
    expect(await transport.leases.acquire(run.runId, 'driver-a')).toBe(true);
    expect(await transport.leases.handOver(run.runId, 'driver-b', '{}', 60_000)).toBe(false);
    expect(await transport.leases.handOver(run.runId, 'driver-a', '{"x":1}', 60_000)).toBe(true);
    expect(await transport.leases.owner(run.runId)).toBe(HANDOVER_OWNER);
    expect(await transport.leases.handedOver()).toContain(run.runId);
    const [first, second] = await Promise.all([
      transport.leases.adopt(run.runId, 'driver-c'),
      other.leases.adopt(run.runId, 'driver-d'),
    ]);
    expect([first, second].filter((record) => record === '{"x":1}')).toHaveLength(1);
    expect([first, second].filter((record) => record === null)).toHaveLength(1);
    expect(['driver-c', 'driver-d']).toContain(await transport.leases.owner(run.runId));
    expect(await transport.leases.handedOver()).not.toContain(run.runId);
  });
});
