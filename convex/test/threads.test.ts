import { convexTest } from 'convex-test';
import { describe, expect, it } from 'vitest';
import { api } from '../_generated/api';
import { CLEANUP_CHUNKS, MAX_PAGE_SIZE } from '../lib/limits';
import schema from '../schema';
import { convexModules } from './convex-modules.glob';

const newConvex = () => convexTest(schema, convexModules);
const uuid = () => crypto.randomUUID();

async function createThread(t: ReturnType<typeof newConvex>, title = 'thread') {
  const created = await t.mutation(api.threads.create, { thread_id: uuid(), title });
  if (created.status !== 'created') throw new Error('not created');
  return created.thread;
}

describe('threads', () => {
  it('creates a thread once per id and reads it back', async () => {
    const t = newConvex();
    const id = uuid();
    const created = await t.mutation(api.threads.create, {
      thread_id: id,
      title: 'Hello',
      agent_id: 'coder',
    });
    expect(created).toMatchObject({ status: 'created', thread: { id, title: 'Hello', agent_id: 'coder' } });
    expect(await t.mutation(api.threads.create, { thread_id: id, title: 'again' })).toEqual({
      status: 'exists',
    });
    expect(await t.query(api.threads.get, { thread_id: id })).toEqual(
      created.status === 'created' && created.thread,
    );
    expect(await t.query(api.threads.get, { thread_id: uuid() })).toBeNull();
  });

  it('lists newest-updated first with a keyset cursor, ties broken by id', async () => {
    const t = newConvex();
    // same updated_at for all: the order falls back to thread_id, descending
    const ids = Array.from({ length: 5 }, uuid);
    await t.run(async (ctx) => {
      for (const id of ids)
        await ctx.db.insert('threads', { thread_id: id, title: id, created_at: 1, updated_at: 1 });
      await ctx.db.insert('threads', { thread_id: uuid(), title: 'newest', created_at: 1, updated_at: 2 });
    });
    const first = await t.query(api.threads.list, { limit: 3, cursor: null });
    expect(first.threads.map((th) => th.title)).toEqual(['newest', ...ids.sort().reverse().slice(0, 2)]);
    expect(first.next).toEqual({ updated_at: 1, thread_id: ids[1] });
    const second = await t.query(api.threads.list, { limit: 3, cursor: first.next });
    expect(second.threads.map((th) => th.id)).toEqual(ids.slice(2));
    expect(second.next).toBeNull();
  });

  it('refuses page sizes outside 1..MAX_PAGE_SIZE', async () => {
    const t = newConvex();
    await expect(t.query(api.threads.list, { limit: 0, cursor: null })).rejects.toThrow(/limit/);
    await expect(t.query(api.threads.list, { limit: MAX_PAGE_SIZE + 1, cursor: null })).rejects.toThrow(
      /limit/,
    );
  });

  it('renames and bumps updated_at, never backwards', async () => {
    const t = newConvex();
    const thread = await createThread(t);
    await t.run(async (ctx) => {
      const doc = await ctx.db
        .query('threads')
        .withIndex('by_thread_id', (q) => q.eq('thread_id', thread.id))
        .unique();
      // a clock that ran ahead elsewhere: updated_at must not go back
      await ctx.db.patch(doc!._id, { updated_at: Date.now() + 60_000 });
    });
    const updated = await t.mutation(api.threads.update, { thread_id: thread.id, title: 'renamed' });
    expect(updated?.title).toBe('renamed');
    expect(updated!.updated_at).toBeGreaterThan(Date.now() + 50_000);
    expect(await t.mutation(api.threads.update, { thread_id: uuid(), title: 'x' })).toBeNull();
  });

  it('deletes a big thread over several bounded steps, hiding it from the first', async () => {
    const t = newConvex();
    const thread = await createThread(t);
    const chunks = CLEANUP_CHUNKS * 3 + 1;
    await t.run(async (ctx) => {
      for (const runId of [uuid(), uuid()]) {
        await ctx.db.insert('runs', {
          run_id: runId,
          thread_id: thread.id,
          turn_id: uuid(),
          status: 'complete',
          created_at: 1,
          updated_at: 1,
          last_stream_id: '1-0',
          part_count: 1,
          bytes: chunks,
        });
        await ctx.db.insert('run_parts', {
          run_id: runId,
          part: 0,
          digest: 'd',
          upload: 'u',
          chunks,
          bytes: chunks,
        });
        for (let chunk = 0; chunk < chunks; chunk++) {
          await ctx.db.insert('items', { run_id: runId, upload: 'u', part: 0, chunk, data: 'x' });
        }
      }
    });

    const first = await t.mutation(api.threads.remove, { thread_id: thread.id });
    expect(first).toEqual({ deleted: true, more: true });
    expect(await t.query(api.threads.get, { thread_id: thread.id })).toBeNull();
    expect((await t.query(api.threads.list, { limit: 10, cursor: null })).threads).toEqual([]);

    let steps = 1;
    let more = true;
    while (more) {
      const step = await t.mutation(api.threads.remove, { thread_id: thread.id });
      expect(step.deleted).toBe(false);
      more = step.more;
      steps++;
    }
    expect(steps).toBeGreaterThan(2);
    const left = await t.run(async (ctx) => ({
      threads: (await ctx.db.query('threads').collect()).length,
      runs: (await ctx.db.query('runs').collect()).length,
      parts: (await ctx.db.query('run_parts').collect()).length,
      items: (await ctx.db.query('items').collect()).length,
    }));
    expect(left).toEqual({ threads: 0, runs: 0, parts: 0, items: 0 });
    expect(await t.mutation(api.threads.remove, { thread_id: thread.id })).toEqual({
      deleted: false,
      more: false,
    });
  });
});
