// @vitest-environment edge-runtime
import { CALL_BYTES, CHUNK_BYTES } from '@cody/convex/limits';
import schema from '@cody/convex/schema';
import { convexModules } from '@cody/convex/test-modules';
import { CodyError, type Response } from '@cody/schema';
import { ConvexHttpClient } from 'convex/browser';
import { type FunctionReference, getFunctionName } from 'convex/server';
import { convexTest } from 'convex-test';
import { describe, expect, it } from 'vitest';
import { type ConvexFunctionClient, ConvexStore } from '../src/index';
import { describeStoreContract, makeResponse } from './store-contract';

// convex-test executes the real functions in convex/ in-process (edge runtime, in-memory
// database); ConvexStore drives them through the same client interface ConvexHttpClient has.
describeStoreContract(
  'ConvexStore',
  async () => new ConvexStore({ client: convexTest(schema, convexModules) }),
);

const MiB = 1024 * 1024;
// what Convex accepts per call (arguments and return value); our calls must stay far below
const CONVEX_CALL_LIMIT = 8 * MiB;

interface Call {
  name: string;
  argBytes: number;
  resultBytes: number;
}

/** Passes every call through to convex-test and notes how big it was. */
function recorded(t: ReturnType<typeof convexTest>): { client: ConvexFunctionClient; calls: Call[] } {
  const calls: Call[] = [];
  const note = async <R>(
    ref: FunctionReference<'query' | 'mutation'>,
    args: unknown,
    run: () => Promise<R>,
  ) => {
    const result = await run();
    calls.push({ name: getFunctionName(ref), argBytes: valueBytes(args), resultBytes: valueBytes(result) });
    return result;
  };
  const client: ConvexFunctionClient = {
    query: (ref, args) => note(ref, args, () => t.query(ref, args)),
    mutation: (ref, args) => note(ref, args, () => t.mutation(ref, args)),
  };
  return { client, calls };
}

/** Size of a Convex value roughly as Convex counts it: strings by UTF-8 bytes, not JSON-escaped. */
function valueBytes(value: unknown): number {
  if (typeof value === 'string') return new TextEncoder().encode(value).length;
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + valueBytes(v), 0);
  if (value && typeof value === 'object') {
    return Object.entries(value).reduce((sum, [k, v]) => sum + k.length + valueBytes(v), 0);
  }
  return 8;
}

function bigResponse(threadId: string, bytes: number): Response {
  const unit = 'aé漢😀 line\n';
  return makeResponse(threadId, {
    output_items: [
      { id: crypto.randomUUID(), type: 'message', origin: 'user', content: 'go' },
      {
        id: crypto.randomUUID(),
        type: 'message',
        origin: 'agent',
        content: unit.repeat(Math.floor(bytes / 16)),
      },
    ],
  });
}

async function tableSizes(t: ReturnType<typeof convexTest>) {
  return await t.run(async (ctx) => {
    const items = await ctx.db.query('items').collect();
    return {
      threads: (await ctx.db.query('threads').collect()).length,
      runs: (await ctx.db.query('runs').collect()).length,
      run_parts: (await ctx.db.query('run_parts').collect()).length,
      garbage: (await ctx.db.query('garbage').collect()).length,
      items: items.length,
      largestItem: Math.max(0, ...items.map((doc) => new TextEncoder().encode(doc.data).length)),
      itemBytes: items.reduce((sum, doc) => sum + new TextEncoder().encode(doc.data).length, 0),
    };
  });
}

describe('ConvexStore specifics', () => {
  it('writes and reads a 10 MiB snapshot over several calls, each far under Convex’s limits', async () => {
    const t = convexTest(schema, convexModules);
    const { client, calls } = recorded(t);
    const store = new ConvexStore({ client });
    const thread = await store.createThread();
    const response = bigResponse(thread.id, 10 * MiB);

    calls.length = 0;
    await store.putRun({ response, lastStreamId: '1-0' });
    const writes = calls.filter((c) => c.name.startsWith('runs:upload') || c.name.startsWith('runs:commit'));
    expect(writes.length).toBeGreaterThan(2);
    for (const call of calls) expect(call.argBytes, call.name).toBeLessThanOrEqual(CALL_BYTES + 64 * 1024);

    const sizes = await tableSizes(t);
    expect(sizes.largestItem).toBeLessThanOrEqual(CHUNK_BYTES);
    expect(sizes.items).toBeGreaterThanOrEqual(20);

    calls.length = 0;
    const run = await store.getRun(response.id);
    expect(JSON.stringify(run?.response)).toBe(JSON.stringify(response));
    expect(calls.length).toBeGreaterThan(2);
    for (const call of calls) expect(call.resultBytes, call.name).toBeLessThan(CONVEX_CALL_LIMIT);
  });

  it('sends only what changed when a big snapshot grows', async () => {
    const t = convexTest(schema, convexModules);
    const { client, calls } = recorded(t);
    const store = new ConvexStore({ client });
    const thread = await store.createThread();
    const response = bigResponse(thread.id, 4 * MiB);
    await store.putRun({ response, lastStreamId: '1-0' });

    calls.length = 0;
    const grown: Response = {
      ...response,
      status: 'complete',
      finish_reason: 'stop',
      output_items: [
        ...response.output_items,
        { id: crypto.randomUUID(), type: 'message', origin: 'agent', content: 'and one more thing' },
      ],
    };
    await store.putRun({ response: grown, lastStreamId: '2-0' });
    const sent = calls.reduce((sum, call) => sum + call.argBytes, 0);
    expect(sent).toBeLessThan(16 * 1024);
    expect(JSON.stringify((await store.getRun(response.id))?.response)).toBe(JSON.stringify(grown));
  });

  it('cleans up replaced text at once, and everything with the thread', async () => {
    const t = convexTest(schema, convexModules);
    const store = new ConvexStore({ client: t });
    const thread = await store.createThread();
    const first = bigResponse(thread.id, 2 * MiB);
    await store.putRun({ response: first, lastStreamId: '1-0' });
    const second = bigResponse(thread.id, 1 * MiB);
    const replaced = { ...second, id: first.id, created_at: first.created_at };
    await store.putRun({ response: replaced, lastStreamId: '2-0' });

    const parts = await encodedBytes(replaced);
    const sizes = await tableSizes(t);
    expect(sizes.garbage).toBe(0);
    expect(sizes.itemBytes).toBe(parts);

    expect(await store.deleteThread(thread.id)).toBe(true);
    expect(await tableSizes(t)).toEqual({
      threads: 0,
      runs: 0,
      run_parts: 0,
      garbage: 0,
      items: 0,
      largestItem: 0,
      itemBytes: 0,
    });
  });

  it('runs the same functions through ConvexHttpClient, and reports an unreachable deployment as STORE_ERROR', async () => {
    const store = new ConvexStore({
      client: new ConvexHttpClient('http://127.0.0.1:1'),
      pingTimeoutMs: 2000,
    });
    const error = await store.ping().catch((e: unknown) => e);
    expect(CodyError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'STORE_ERROR', isRetryable: true });
    expect(await store.getThread('not-a-uuid')).toBeNull();
  });
});

async function encodedBytes(response: Response): Promise<number> {
  const texts = [
    JSON.stringify({ ...response, output_items: [] }),
    ...response.output_items.map((i) => JSON.stringify(i)),
  ];
  return texts.reduce((sum, text) => sum + new TextEncoder().encode(text).length, 0);
}
