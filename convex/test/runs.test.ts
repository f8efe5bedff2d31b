import { convexTest } from 'convex-test';
import { describe, expect, it } from 'vitest';
import { api } from '../_generated/api';
import type { Doc } from '../_generated/dataModel';
import { CALL_BYTES, CHUNK_BYTES, CLEANUP_CHUNKS } from '../lib/limits';
import schema from '../schema';
import { convexModules } from './convex-modules.glob';

type T = ReturnType<typeof newConvex>;
const newConvex = () => convexTest(schema, convexModules);
const uuid = () => crypto.randomUUID();

async function newThread(t: T): Promise<string> {
  const id = uuid();
  await t.mutation(api.threads.create, { thread_id: id, title: 't' });
  return id;
}

/** Commits parts given as texts (digest = the text itself: opaque to the functions), all inline. */
function commitArgs(
  target: { run_id: string; thread_id: string; last_stream_id: string | null },
  texts: string[],
  reuse: number[] = [],
) {
  const upload = uuid();
  return {
    ...target,
    turn_id: uuid(),
    status: 'in_progress',
    created_at: 1000,
    updated_at: 1000,
    upload,
    staged: false,
    parts: texts.map((text, part) =>
      reuse.includes(part) ? { digest: text } : { digest: text, new: { chunks: 1, bytes: text.length } },
    ),
    chunks: texts.flatMap((data, part) => (reuse.includes(part) ? [] : [{ part, chunk: 0, data }])),
  };
}

async function table<N extends 'items' | 'garbage' | 'run_parts' | 'runs'>(t: T, name: N): Promise<Doc<N>[]> {
  return await t.run(async (ctx) => await ctx.db.query(name).collect());
}

async function readAll(t: T, runId: string): Promise<string[] | null> {
  const payload = await t.query(api.runs.get, { run_id: runId });
  if (!payload) return null;
  const texts = payload.loaded.map((chunks) => chunks.join(''));
  for (const ref of payload.parts.slice(payload.loaded.length)) {
    const [chunks] = await t.query(api.runs.read, {
      run_id: runId,
      ranges: [{ part: ref.part, upload: ref.upload, from: 0, to: ref.chunks - 1 }],
    });
    texts.push(chunks!.join(''));
  }
  return texts;
}

describe('runs: plan and commit', () => {
  it('stores a snapshot in one commit and reads it back', async () => {
    const t = newConvex();
    const target = { run_id: uuid(), thread_id: await newThread(t), last_stream_id: '1-0' };
    expect(await t.query(api.runs.plan, { ...target, digests: ['h', 'a'] })).toEqual({
      status: 'ok',
      missing: [0, 1],
    });
    expect(await t.mutation(api.runs.commit, commitArgs(target, ['h', 'a']))).toEqual({
      status: 'stored',
      garbage: false,
    });
    expect(await readAll(t, target.run_id)).toEqual(['h', 'a']);
    const payload = await t.query(api.runs.get, { run_id: target.run_id });
    expect(payload).toMatchObject({ thread_id: target.thread_id, last_stream_id: '1-0', created_at: 1000 });
  });

  it('plans only the parts that changed, and a commit reuses the rest', async () => {
    const t = newConvex();
    const target = { run_id: uuid(), thread_id: await newThread(t), last_stream_id: '1-0' };
    await t.mutation(api.runs.commit, commitArgs(target, ['h1', 'a', 'b']));
    const next = { ...target, last_stream_id: '2-0' };
    expect(await t.query(api.runs.plan, { ...next, digests: ['h2', 'a', 'b', 'c'] })).toEqual({
      status: 'ok',
      missing: [0, 3],
    });
    const result = await t.mutation(api.runs.commit, commitArgs(next, ['h2', 'a', 'b', 'c'], [1, 2]));
    expect(result).toEqual({ status: 'stored', garbage: true });
    expect(await readAll(t, target.run_id)).toEqual(['h2', 'a', 'b', 'c']);
    // the old header's text is garbage until collected
    expect((await table(t, 'items')).map((d) => d.data).sort()).toEqual(['a', 'b', 'c', 'h1', 'h2']);
    expect(await t.mutation(api.runs.collectGarbage, { run_id: target.run_id })).toEqual({ more: false });
    expect((await table(t, 'items')).map((d) => d.data).sort()).toEqual(['a', 'b', 'c', 'h2']);
    expect(await table(t, 'garbage')).toEqual([]);
  });

  it('drops parts past the end of a shorter snapshot', async () => {
    const t = newConvex();
    const target = { run_id: uuid(), thread_id: await newThread(t), last_stream_id: '1-0' };
    await t.mutation(api.runs.commit, commitArgs(target, ['h', 'a', 'b']));
    await t.mutation(api.runs.commit, commitArgs({ ...target, last_stream_id: '2-0' }, ['h', 'a'], [0, 1]));
    await t.mutation(api.runs.collectGarbage, { run_id: target.run_id });
    expect(await readAll(t, target.run_id)).toEqual(['h', 'a']);
    expect((await table(t, 'items')).map((d) => d.data).sort()).toEqual(['a', 'h']);
    expect((await table(t, 'run_parts')).length).toBe(2);
  });

  it('refuses an older stream id, accepts the same or a newer one', async () => {
    const t = newConvex();
    const target = { run_id: uuid(), thread_id: await newThread(t), last_stream_id: '10-5' };
    await t.mutation(api.runs.commit, commitArgs(target, ['h', 'a']));
    for (const older of ['9-99', '10-4', null]) {
      const stale = { ...target, last_stream_id: older };
      expect(await t.query(api.runs.plan, { ...stale, digests: ['x'] })).toEqual({
        status: 'stale',
        last_stream_id: '10-5',
      });
      expect(await t.mutation(api.runs.commit, commitArgs(stale, ['x']))).toEqual({
        status: 'stale',
        last_stream_id: '10-5',
        garbage: false,
      });
    }
    expect(await readAll(t, target.run_id)).toEqual(['h', 'a']);
    expect((await t.mutation(api.runs.commit, commitArgs(target, ['h', 'b']))).status).toBe('stored');
    expect(
      (await t.mutation(api.runs.commit, commitArgs({ ...target, last_stream_id: '10-10' }, ['h', 'c'])))
        .status,
    ).toBe('stored');
    expect(await readAll(t, target.run_id)).toEqual(['h', 'c']);
  });

  it('refuses a run of a missing or deleting thread, or of another thread', async () => {
    const t = newConvex();
    const target = { run_id: uuid(), thread_id: uuid(), last_stream_id: '1-0' };
    expect(await t.query(api.runs.plan, { ...target, digests: [] })).toEqual({ status: 'thread_not_found' });
    expect((await t.mutation(api.runs.commit, commitArgs(target, ['h']))).status).toBe('thread_not_found');

    const home = await newThread(t);
    await t.mutation(api.runs.commit, commitArgs({ ...target, thread_id: home }, ['h']));
    const elsewhere = await newThread(t);
    expect(
      await t.mutation(
        api.runs.commit,
        commitArgs({ ...target, thread_id: elsewhere, last_stream_id: '2-0' }, ['x']),
      ),
    ).toEqual({ status: 'mismatch', thread_id: home, garbage: false });

    await t.run(async (ctx) => {
      const doc = await ctx.db
        .query('threads')
        .withIndex('by_thread_id', (q) => q.eq('thread_id', elsewhere))
        .unique();
      await ctx.db.patch(doc!._id, { deleting: true });
    });
    const other = { run_id: uuid(), thread_id: elsewhere, last_stream_id: '1-0' };
    expect((await t.mutation(api.runs.commit, commitArgs(other, ['h']))).status).toBe('thread_not_found');
    expect(
      await t.mutation(api.runs.upload, {
        run_id: other.run_id,
        thread_id: elsewhere,
        upload: uuid(),
        chunks: [],
      }),
    ).toEqual({
      status: 'thread_not_found',
    });
    expect(await table(t, 'runs')).toHaveLength(1);
  });

  it('reports a conflict when a reused part changed since the plan, changing nothing', async () => {
    const t = newConvex();
    const target = { run_id: uuid(), thread_id: await newThread(t), last_stream_id: '1-0' };
    await t.mutation(api.runs.commit, commitArgs(target, ['h', 'a']));
    // another writer replaced part 1 in between
    await t.mutation(api.runs.commit, commitArgs({ ...target, last_stream_id: '2-0' }, ['h', 'B'], [0]));
    const result = await t.mutation(
      api.runs.commit,
      commitArgs({ ...target, last_stream_id: '3-0' }, ['h2', 'a'], [1]),
    );
    expect(result).toEqual({ status: 'conflict', garbage: false });
    expect(await readAll(t, target.run_id)).toEqual(['h', 'B']);
  });

  it('discards text uploaded ahead of a refused commit', async () => {
    const t = newConvex();
    const target = { run_id: uuid(), thread_id: await newThread(t), last_stream_id: '5-0' };
    await t.mutation(api.runs.commit, commitArgs(target, ['h']));
    const upload = uuid();
    await t.mutation(api.runs.upload, {
      run_id: target.run_id,
      thread_id: target.thread_id,
      upload,
      chunks: [{ part: 0, chunk: 0, data: 'staged' }],
    });
    const result = await t.mutation(api.runs.commit, {
      ...commitArgs({ ...target, last_stream_id: '4-0' }, ['staged']),
      upload,
      staged: true,
      chunks: [],
    });
    expect(result).toEqual({ status: 'stale', last_stream_id: '5-0', garbage: true });
    await t.mutation(api.runs.collectGarbage, { run_id: target.run_id });
    expect((await table(t, 'items')).map((d) => d.data)).toEqual(['h']);
  });

  it('refuses chunks over 512 KiB and calls over 4 MiB', async () => {
    const t = newConvex();
    const target = { run_id: uuid(), thread_id: await newThread(t) };
    const tooBig = 'é'.repeat(CHUNK_BYTES / 2 + 1);
    await expect(
      t.mutation(api.runs.upload, {
        ...target,
        upload: uuid(),
        chunks: [{ part: 0, chunk: 0, data: tooBig }],
      }),
    ).rejects.toThrow(/over 524288/);
    const full = 'x'.repeat(CHUNK_BYTES);
    const chunks = Array.from({ length: CALL_BYTES / CHUNK_BYTES + 1 }, (_, chunk) => ({
      part: 0,
      chunk,
      data: full,
    }));
    await expect(t.mutation(api.runs.upload, { ...target, upload: uuid(), chunks })).rejects.toThrow(
      /over 4194304/,
    );
    expect(await table(t, 'items')).toEqual([]);
  });
});

describe('runs: reading', () => {
  it('returns the text that fits one call and leaves the rest to read, which fails once cleaned up', async () => {
    const t = newConvex();
    const target = { run_id: uuid(), thread_id: await newThread(t), last_stream_id: '1-0' };
    const upload = uuid();
    const chunk = 'y'.repeat(CHUNK_BYTES);
    const bigChunks = CALL_BYTES / CHUNK_BYTES + 2;
    for (let c = 0; c < bigChunks; c += 4) {
      const batch = Array.from({ length: Math.min(4, bigChunks - c) }, (_, i) => ({
        part: 1,
        chunk: c + i,
        data: chunk,
      }));
      await t.mutation(api.runs.upload, {
        run_id: target.run_id,
        thread_id: target.thread_id,
        upload,
        chunks: batch,
      });
    }
    await t.mutation(api.runs.commit, {
      ...commitArgs(target, ['h']),
      upload,
      staged: true,
      parts: [
        { digest: 'h', new: { chunks: 1, bytes: 1 } },
        { digest: 'big', new: { chunks: bigChunks, bytes: bigChunks * CHUNK_BYTES } },
      ],
    });
    const payload = await t.query(api.runs.get, { run_id: target.run_id });
    expect(payload?.loaded).toEqual([['h']]);
    expect(payload?.parts.map((p) => p.chunks)).toEqual([1, bigChunks]);
    const [first, second] = await t.query(api.runs.read, {
      run_id: target.run_id,
      ranges: [
        { part: 1, upload, from: 0, to: 3 },
        { part: 1, upload, from: 4, to: bigChunks - 1 },
      ],
    });
    expect([...first!, ...second!].join('')).toBe(chunk.repeat(bigChunks));

    // a newer snapshot replaces part 1; once its text is cleaned up the old range reads null
    await t.mutation(api.runs.commit, commitArgs({ ...target, last_stream_id: '2-0' }, ['h', 'small'], [0]));
    let more = true;
    while (more) more = (await t.mutation(api.runs.collectGarbage, { run_id: target.run_id })).more;
    const [gone] = await t.query(api.runs.read, {
      run_id: target.run_id,
      ranges: [{ part: 1, upload, from: 0, to: 3 }],
    });
    expect(gone).toBeNull();
    expect(await readAll(t, target.run_id)).toEqual(['h', 'small']);
  });

  it('collects garbage in bounded steps', async () => {
    const t = newConvex();
    const target = { run_id: uuid(), thread_id: await newThread(t), last_stream_id: '1-0' };
    const upload = uuid();
    const count = CLEANUP_CHUNKS * 2 + 3;
    await t.mutation(api.runs.upload, {
      run_id: target.run_id,
      thread_id: target.thread_id,
      upload,
      chunks: Array.from({ length: count }, (_, chunk) => ({ part: 0, chunk, data: 'z' })),
    });
    await t.mutation(api.runs.commit, {
      ...commitArgs(target, ['h']),
      upload,
      staged: true,
      parts: [{ digest: 'z', new: { chunks: count, bytes: count } }],
    });
    await t.mutation(api.runs.commit, commitArgs({ ...target, last_stream_id: '2-0' }, ['h']));
    const steps: boolean[] = [];
    let more = true;
    while (more) {
      more = (await t.mutation(api.runs.collectGarbage, { run_id: target.run_id })).more;
      steps.push(more);
    }
    expect(steps.length).toBeGreaterThanOrEqual(3);
    expect((await table(t, 'items')).map((d) => d.data)).toEqual(['h']);
  });

  it('dedupes a chunk stored twice by a retried upload', async () => {
    const t = newConvex();
    const target = { run_id: uuid(), thread_id: await newThread(t), last_stream_id: '1-0' };
    const upload = uuid();
    const chunks = [
      { part: 0, chunk: 0, data: 'ab' },
      { part: 0, chunk: 1, data: 'cd' },
    ];
    const args = { run_id: target.run_id, thread_id: target.thread_id, upload, chunks };
    await t.mutation(api.runs.upload, args);
    await t.mutation(api.runs.upload, args);
    await t.mutation(api.runs.commit, {
      ...commitArgs(target, []),
      upload,
      staged: true,
      parts: [{ digest: 'abcd', new: { chunks: 2, bytes: 4 } }],
    });
    expect(await readAll(t, target.run_id)).toEqual(['abcd']);
  });

  it('lists a thread’s runs by created_at over as many calls as their size needs', async () => {
    const t = newConvex();
    const threadId = await newThread(t);
    const big = 'q'.repeat(CHUNK_BYTES);
    const runIds: string[] = [];
    // 12 runs of 512 KiB each: more than one call's 4 MiB budget
    for (let i = 0; i < 12; i++) {
      const runId = uuid();
      runIds.push(runId);
      await t.mutation(api.runs.commit, {
        ...commitArgs({ run_id: runId, thread_id: threadId, last_stream_id: '1-0' }, [big]),
        created_at: 5000 - (i % 3),
      });
    }
    const seen: { created_at: number; run_id: string; complete: boolean }[] = [];
    let cursor = null;
    let calls = 0;
    do {
      const page: Awaited<ReturnType<typeof t.query<typeof api.runs.listByThread>>> = await t.query(
        api.runs.listByThread,
        {
          thread_id: threadId,
          cursor,
        },
      );
      calls++;
      for (const run of page.runs) {
        seen.push({
          created_at: run.created_at,
          run_id: run.run_id,
          complete: run.loaded.length === run.parts.length,
        });
      }
      cursor = page.next;
    } while (cursor !== null);
    expect(calls).toBeGreaterThan(1);
    expect(seen.map((r) => r.run_id).sort()).toEqual(runIds.slice().sort());
    const order = seen.map((r) => [r.created_at, r.run_id] as const);
    const sorted = order.slice().sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
    expect(order).toEqual(sorted);
  });
});

describe('health', () => {
  it('answers ping', async () => {
    expect(await newConvex().query(api.health.ping, {})).toBe('ok');
  });
});
