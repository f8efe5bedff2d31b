import { v } from 'convex/values';
import type { Doc } from './_generated/dataModel';
import { type DatabaseReader, type MutationCtx, mutation, query } from './_generated/server';
import { CALL_BYTES, CALL_RANGES, CHUNK_BYTES, CLEANUP_CHUNKS, CLEANUP_DOCS } from './lib/limits';
import { loadRun, type ReadBudget, type RunPayload, readChunks } from './lib/load-run';
import { findLiveThread, findRun } from './lib/thread-doc';
import { utf8Length } from './lib/utf8-length';
import { checkWrite, type WriteRefusal } from './lib/write-check';

// Writing a snapshot: `plan` says which parts changed since the stored snapshot, the client
// sends their text (inline in `commit` when it fits one call, else through `upload` calls
// first), and `commit` switches the run to the new parts in one transaction, re-checking
// everything `plan` checked. Replaced text is deleted afterwards by `collectGarbage`.

const chunkValidator = v.object({ part: v.number(), chunk: v.number(), data: v.string() });
type ChunkArg = typeof chunkValidator.type;

const writeTarget = {
  run_id: v.string(),
  thread_id: v.string(),
  last_stream_id: v.union(v.string(), v.null()),
};

/** Which parts (by index, 0 = header) the stored snapshot does not already hold with these digests. */
export const plan = query({
  args: { ...writeTarget, digests: v.array(v.string()) },
  handler: async (ctx, args): Promise<WriteRefusal | { status: 'ok'; missing: number[] }> => {
    const check = await checkWrite(ctx.db, args);
    if (check.refusal) return check.refusal;
    const stored = await currentParts(ctx.db, args.run_id);
    const missing = args.digests.flatMap((digest, part) =>
      stored.get(part)?.digest === digest ? [] : [part],
    );
    return { status: 'ok', missing };
  },
});

/** Stores text chunks of an upload ahead of its `commit` (for snapshots too big for one call). */
export const upload = mutation({
  args: { run_id: v.string(), thread_id: v.string(), upload: v.string(), chunks: v.array(chunkValidator) },
  handler: async (ctx, args): Promise<{ status: 'ok' } | { status: 'thread_not_found' }> => {
    if (!(await findLiveThread(ctx.db, args.thread_id))) return { status: 'thread_not_found' };
    await insertChunks(ctx, args.run_id, args.upload, args.chunks);
    return { status: 'ok' };
  },
});

const partValidator = v.object({
  digest: v.string(),
  item_id: v.optional(v.string()),
  item_type: v.optional(v.string()),
  /** Present when this write uploads the part's text (under the commit's `upload`). */
  new: v.optional(v.object({ chunks: v.number(), bytes: v.number() })),
});

/**
 * Makes a snapshot the run's current one, atomically. Refused (nothing changes) when the thread
 * is gone, the run belongs to another thread, the stored snapshot is newer, or a part the client
 * reuses is no longer the stored one (`conflict`: another writer got in between; plan again).
 * `garbage` tells the client to call `collectGarbage`.
 */
export const commit = mutation({
  args: {
    ...writeTarget,
    turn_id: v.string(),
    status: v.string(),
    created_at: v.number(),
    updated_at: v.number(),
    upload: v.string(),
    /** True when some text of this upload was sent ahead through `upload` calls. */
    staged: v.boolean(),
    parts: v.array(partValidator),
    chunks: v.array(chunkValidator),
  },
  handler: async (
    ctx,
    args,
  ): Promise<(WriteRefusal | { status: 'conflict' } | { status: 'stored' }) & { garbage: boolean }> => {
    const check = await checkWrite(ctx.db, args);
    if (check.refusal) return { ...check.refusal, garbage: await discardUpload(ctx, args) };
    const stored = await currentParts(ctx.db, args.run_id);
    for (const [index, part] of args.parts.entries()) {
      if (!part.new && stored.get(index)?.digest !== part.digest) {
        return { status: 'conflict', garbage: await discardUpload(ctx, args) };
      }
    }

    await insertChunks(ctx, args.run_id, args.upload, args.chunks);
    let garbage = false;
    let bytes = 0;
    for (const [index, part] of args.parts.entries()) {
      const old = stored.get(index);
      if (!part.new) {
        bytes += old?.bytes ?? 0;
        continue;
      }
      bytes += part.new.bytes;
      const doc = {
        run_id: args.run_id,
        part: index,
        digest: part.digest,
        upload: args.upload,
        chunks: part.new.chunks,
        bytes: part.new.bytes,
        ...(part.item_id === undefined ? {} : { item_id: part.item_id }),
        ...(part.item_type === undefined ? {} : { item_type: part.item_type }),
      };
      if (old) {
        if (old.upload !== args.upload) {
          await ctx.db.insert('garbage', { run_id: args.run_id, upload: old.upload, part: index });
          garbage = true;
        }
        await ctx.db.replace(old._id, doc);
      } else {
        await ctx.db.insert('run_parts', doc);
      }
    }
    // a snapshot never loses items, but a rewrite may: drop parts past the new end
    for (const [index, old] of stored) {
      if (index < args.parts.length) continue;
      await ctx.db.insert('garbage', { run_id: args.run_id, upload: old.upload, part: index });
      await ctx.db.delete(old._id);
      garbage = true;
    }

    const runDoc = {
      run_id: args.run_id,
      thread_id: args.thread_id,
      turn_id: args.turn_id,
      status: args.status,
      created_at: args.created_at,
      updated_at: args.updated_at,
      last_stream_id: args.last_stream_id,
      part_count: args.parts.length,
      bytes,
    };
    if (check.run) await ctx.db.replace(check.run._id, runDoc);
    else await ctx.db.insert('runs', runDoc);
    await ctx.db.patch(check.thread._id, { updated_at: Math.max(check.thread.updated_at, Date.now()) });
    return { status: 'stored', garbage };
  },
});

/** Deletes text no snapshot refers to any more, one bounded step per call; call again while `more`. */
export const collectGarbage = mutation({
  args: { run_id: v.string() },
  handler: async (ctx, args): Promise<{ more: boolean }> => {
    let budget = CLEANUP_CHUNKS;
    const entries = await ctx.db
      .query('garbage')
      .withIndex('by_run', (q) => q.eq('run_id', args.run_id))
      .take(CLEANUP_DOCS);
    for (const entry of entries) {
      const items = await ctx.db
        .query('items')
        .withIndex('by_part', (q) =>
          q.eq('run_id', args.run_id).eq('upload', entry.upload).eq('part', entry.part),
        )
        .take(budget + 1);
      for (const item of items.slice(0, budget)) await ctx.db.delete(item._id);
      if (items.length > budget) return { more: true };
      budget -= items.length;
      await ctx.db.delete(entry._id);
      if (budget === 0) return { more: true };
    }
    return { more: entries.length === CLEANUP_DOCS };
  },
});

/** A run's parts and the text of as many as fit one call; null when unknown or its thread is gone. */
export const get = query({
  args: { run_id: v.string() },
  handler: async (ctx, args): Promise<RunPayload | null> => {
    const run = await findRun(ctx.db, args.run_id);
    if (!run || !(await findLiveThread(ctx.db, run.thread_id))) return null;
    return await loadRun(ctx.db, run, newBudget());
  },
});

const runCursorValidator = v.object({ created_at: v.number(), run_id: v.string() });

/**
 * A thread's runs by `created_at`, as many per call as the read budget allows (at least one),
 * each with the text that fit; `next` continues the list.
 */
export const listByThread = query({
  args: { thread_id: v.string(), cursor: v.union(runCursorValidator, v.null()) },
  handler: async (
    ctx,
    { thread_id, cursor },
  ): Promise<{ runs: RunPayload[]; next: typeof runCursorValidator.type | null }> => {
    if (!(await findLiveThread(ctx.db, thread_id))) return { runs: [], next: null };
    const budget = newBudget();
    const runs: RunPayload[] = [];
    const pending: Doc<'runs'>[] = [];
    if (cursor !== null) {
      pending.push(
        ...(await ctx.db
          .query('runs')
          .withIndex('by_thread', (q) =>
            q.eq('thread_id', thread_id).eq('created_at', cursor.created_at).gt('run_id', cursor.run_id),
          )
          .take(CLEANUP_DOCS)),
      );
    }
    pending.push(
      ...(await ctx.db
        .query('runs')
        .withIndex('by_thread', (q) =>
          cursor === null
            ? q.eq('thread_id', thread_id)
            : q.eq('thread_id', thread_id).gt('created_at', cursor.created_at),
        )
        .take(CLEANUP_DOCS)),
    );
    for (const run of pending) {
      if (runs.length > 0 && (budget.ranges < 2 || budget.bytes <= 0)) break;
      runs.push(await loadRun(ctx.db, run, budget));
    }
    const last = runs.at(-1);
    const more = runs.length < pending.length || pending.length >= CLEANUP_DOCS;
    return { runs, next: more && last ? { created_at: last.created_at, run_id: last.run_id } : null };
  },
});

/**
 * Text of chunk ranges of a run's parts (those `get` could not fit). A range whose chunks are
 * gone (a newer snapshot replaced the part and its text was cleaned up) comes back null.
 */
export const read = query({
  args: {
    run_id: v.string(),
    ranges: v.array(v.object({ part: v.number(), upload: v.string(), from: v.number(), to: v.number() })),
  },
  handler: async (ctx, args): Promise<(string[] | null)[]> => {
    if (args.ranges.length > CALL_RANGES) throw new Error(`at most ${CALL_RANGES} ranges per call`);
    let bytes = 0;
    const out: (string[] | null)[] = [];
    for (const range of args.ranges) {
      const chunks = await readChunks(ctx.db, args.run_id, range, range.from, range.to);
      for (const chunk of chunks ?? []) bytes += chunk.length;
      // UTF-16 length ≤ UTF-8 length ≤ 3× it: stop well before the return value limit
      if (bytes > CALL_BYTES * 2) throw new Error('read ranges exceed one call');
      out.push(chunks);
    }
    return out;
  },
});

function newBudget(): ReadBudget {
  return { bytes: CALL_BYTES, ranges: CALL_RANGES };
}

async function currentParts(db: DatabaseReader, runId: string) {
  const docs = await db
    .query('run_parts')
    .withIndex('by_run', (q) => q.eq('run_id', runId))
    .collect();
  return new Map(docs.map((doc) => [doc.part, doc]));
}

async function insertChunks(
  ctx: MutationCtx,
  runId: string,
  upload: string,
  chunks: ChunkArg[],
): Promise<void> {
  let total = 0;
  for (const chunk of chunks) {
    const bytes = utf8Length(chunk.data);
    if (bytes > CHUNK_BYTES)
      throw new Error(`chunk ${chunk.part}/${chunk.chunk} is ${bytes} bytes, over ${CHUNK_BYTES}`);
    total += bytes;
  }
  if (total > CALL_BYTES) throw new Error(`${total} bytes of chunks in one call, over ${CALL_BYTES}`);
  for (const chunk of chunks) await ctx.db.insert('items', { run_id: runId, upload, ...chunk });
}

/** A refused write's uploaded text (if any was sent ahead) is garbage at once. */
async function discardUpload(
  ctx: MutationCtx,
  args: { run_id: string; upload: string; staged: boolean; parts: { new?: unknown }[] },
): Promise<boolean> {
  if (!args.staged) return false;
  let any = false;
  for (const [index, part] of args.parts.entries()) {
    if (!part.new) continue;
    await ctx.db.insert('garbage', { run_id: args.run_id, upload: args.upload, part: index });
    any = true;
  }
  return any;
}
