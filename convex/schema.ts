import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

/**
 * A run's snapshot is stored as "parts": part 0 is the Response without its output items
 * (the header), part k is `output_items[k - 1]`, each as JSON text. A part's text lives in
 * `items` documents of at most 512 KiB each, so no document nears Convex's 1 MiB limit.
 * `run_parts` says which upload holds the current text of each part: an unchanged item is not
 * written again when the snapshot is, and a replaced one is cleaned up through `garbage`.
 */
export default defineSchema({
  threads: defineTable({
    thread_id: v.string(),
    title: v.string(),
    agent_id: v.optional(v.string()),
    created_at: v.number(),
    updated_at: v.number(),
    /** Set while `threads:remove` is deleting its runs: the thread is gone for readers. */
    deleting: v.optional(v.boolean()),
  })
    .index('by_thread_id', ['thread_id'])
    .index('by_updated', ['updated_at', 'thread_id']),

  runs: defineTable({
    run_id: v.string(),
    thread_id: v.string(),
    turn_id: v.string(),
    status: v.string(),
    created_at: v.number(),
    updated_at: v.number(),
    /** Redis stream id of the last event reflected; a write with an older one is refused. */
    last_stream_id: v.union(v.string(), v.null()),
    part_count: v.number(),
    bytes: v.number(),
  })
    .index('by_run_id', ['run_id'])
    .index('by_thread', ['thread_id', 'created_at', 'run_id']),

  run_parts: defineTable({
    run_id: v.string(),
    part: v.number(),
    /** SHA-256 (base64) of the part's JSON text. */
    digest: v.string(),
    /** The upload whose `items` hold this part's text. */
    upload: v.string(),
    chunks: v.number(),
    bytes: v.number(),
    item_id: v.optional(v.string()),
    item_type: v.optional(v.string()),
  }).index('by_run', ['run_id', 'part']),

  items: defineTable({
    run_id: v.string(),
    upload: v.string(),
    part: v.number(),
    chunk: v.number(),
    /** Up to 512 KiB (UTF-8) of the part's JSON text. */
    data: v.string(),
  })
    .index('by_part', ['run_id', 'upload', 'part', 'chunk'])
    .index('by_run', ['run_id']),

  /** Uploads of parts no snapshot refers to any more, waiting for `runs:collectGarbage`. */
  garbage: defineTable({
    run_id: v.string(),
    upload: v.string(),
    part: v.number(),
  }).index('by_run', ['run_id']),
});
