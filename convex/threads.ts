import type { FilterBuilder, NamedTableInfo } from 'convex/server';
import { v } from 'convex/values';
import type { DataModel, Doc } from './_generated/dataModel';
import { mutation, query } from './_generated/server';
import { CLEANUP_CHUNKS, CLEANUP_DOCS, MAX_PAGE_SIZE } from './lib/limits';
import { findLiveThread, findThread, type ThreadRecord, toThreadRecord } from './lib/thread-doc';

/** Creates a thread; `exists` when the id is taken (also by a thread being deleted). */
export const create = mutation({
  args: { thread_id: v.string(), title: v.string(), agent_id: v.optional(v.string()) },
  handler: async (ctx, args): Promise<{ status: 'created'; thread: ThreadRecord } | { status: 'exists' }> => {
    if (await findThread(ctx.db, args.thread_id)) return { status: 'exists' };
    const now = Date.now();
    const doc = {
      thread_id: args.thread_id,
      title: args.title,
      created_at: now,
      updated_at: now,
      ...(args.agent_id === undefined ? {} : { agent_id: args.agent_id }),
    };
    await ctx.db.insert('threads', doc);
    return { status: 'created', thread: toThreadRecord(doc) };
  },
});

export const get = query({
  args: { thread_id: v.string() },
  handler: async (ctx, args): Promise<ThreadRecord | null> => {
    const doc = await findLiveThread(ctx.db, args.thread_id);
    return doc ? toThreadRecord(doc) : null;
  },
});

// a thread being deleted is already gone for readers
const live = (q: FilterBuilder<NamedTableInfo<DataModel, 'threads'>>) => q.neq(q.field('deleting'), true);

const cursorValidator = v.object({ updated_at: v.number(), thread_id: v.string() });

/**
 * A page of threads, most recently updated first (ties: higher id first). Keyset pagination:
 * `cursor` is the last thread of the previous page, so inserts never shift later pages.
 */
export const list = query({
  args: { limit: v.number(), cursor: v.union(cursorValidator, v.null()) },
  handler: async (
    ctx,
    { limit, cursor },
  ): Promise<{ threads: ThreadRecord[]; next: typeof cursorValidator.type | null }> => {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new Error(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    const want = limit + 1;
    const threads = () => ctx.db.query('threads');
    let docs: Doc<'threads'>[];
    if (cursor === null) {
      docs = await threads().withIndex('by_updated').order('desc').filter(live).take(want);
    } else {
      docs = await threads()
        .withIndex('by_updated', (q) =>
          q.eq('updated_at', cursor.updated_at).lt('thread_id', cursor.thread_id),
        )
        .order('desc')
        .filter(live)
        .take(want);
      if (docs.length < want) {
        const older = await threads()
          .withIndex('by_updated', (q) => q.lt('updated_at', cursor.updated_at))
          .order('desc')
          .filter(live)
          .take(want - docs.length);
        docs.push(...older);
      }
    }
    const page = docs.slice(0, limit);
    const last = page.at(-1);
    return {
      threads: page.map(toThreadRecord),
      next: docs.length > limit && last ? { updated_at: last.updated_at, thread_id: last.thread_id } : null,
    };
  },
});

/** Renames a thread and bumps its `updated_at`; null when it does not exist. */
export const update = mutation({
  args: { thread_id: v.string(), title: v.optional(v.string()) },
  handler: async (ctx, args): Promise<ThreadRecord | null> => {
    const doc = await findLiveThread(ctx.db, args.thread_id);
    if (!doc) return null;
    const patch = {
      updated_at: Math.max(doc.updated_at, Date.now()),
      ...(args.title === undefined ? {} : { title: args.title }),
    };
    await ctx.db.patch(doc._id, patch);
    return toThreadRecord({ ...doc, ...patch });
  },
});

/**
 * Deletes a thread with its runs, one bounded step per call (a thread's runs may hold more
 * than one transaction may read): call again while `more` is true. The first call hides the
 * thread at once; `deleted` is true only on the call that found it live.
 */
export const remove = mutation({
  args: { thread_id: v.string() },
  handler: async (ctx, args): Promise<{ deleted: boolean; more: boolean }> => {
    const thread = await findThread(ctx.db, args.thread_id);
    if (!thread) return { deleted: false, more: false };
    const deleted = !thread.deleting;
    if (deleted) await ctx.db.patch(thread._id, { deleting: true });

    let chunkBudget = CLEANUP_CHUNKS;
    let docBudget = CLEANUP_DOCS;
    const runs = await ctx.db
      .query('runs')
      .withIndex('by_thread', (q) => q.eq('thread_id', args.thread_id))
      .take(CLEANUP_DOCS);
    for (const run of runs) {
      const items = await ctx.db
        .query('items')
        .withIndex('by_run', (q) => q.eq('run_id', run.run_id))
        .take(chunkBudget + 1);
      for (const item of items.slice(0, chunkBudget)) await ctx.db.delete(item._id);
      chunkBudget -= Math.min(items.length, chunkBudget);
      if (items.length > 0 && chunkBudget === 0) return { deleted, more: true };
      const others = [
        ...(await ctx.db
          .query('run_parts')
          .withIndex('by_run', (q) => q.eq('run_id', run.run_id))
          .take(docBudget)),
        ...(await ctx.db
          .query('garbage')
          .withIndex('by_run', (q) => q.eq('run_id', run.run_id))
          .take(docBudget)),
      ];
      for (const doc of others.slice(0, docBudget)) await ctx.db.delete(doc._id);
      docBudget -= Math.min(others.length, docBudget);
      if (docBudget === 0) return { deleted, more: true };
      await ctx.db.delete(run._id);
      docBudget -= 1;
      if (docBudget === 0) return { deleted, more: true };
    }
    if (runs.length === CLEANUP_DOCS) return { deleted, more: true };
    await ctx.db.delete(thread._id);
    return { deleted, more: false };
  },
});
