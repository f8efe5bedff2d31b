import type { Doc } from '../_generated/dataModel';
import type { DatabaseReader } from '../_generated/server';

/** Where one part's text is: `chunks` documents of `upload`. */
export interface PartRef {
  part: number;
  upload: string;
  chunks: number;
  bytes: number;
}

/** A run as a read returns it: its parts, and the text of those that fit the call's budget. */
export interface RunPayload {
  run_id: string;
  thread_id: string;
  created_at: number;
  last_stream_id: string | null;
  parts: PartRef[];
  /** Text chunks of parts 0..loaded.length-1, in order; the client reads the rest with `runs:read`. */
  loaded: string[][];
}

/** What a read call may still spend. */
export interface ReadBudget {
  bytes: number;
  ranges: number;
}

/** Loads a run's part list and as many leading parts' text as the budget allows. */
export async function loadRun(db: DatabaseReader, run: Doc<'runs'>, budget: ReadBudget): Promise<RunPayload> {
  const partDocs = await db
    .query('run_parts')
    .withIndex('by_run', (q) => q.eq('run_id', run.run_id))
    .collect();
  budget.ranges -= 1;
  const parts = partDocs.map(({ part, upload, chunks, bytes }) => ({ part, upload, chunks, bytes }));
  const loaded: string[][] = [];
  for (const ref of parts) {
    if (ref.bytes > budget.bytes || budget.ranges < 1) break;
    const chunks = await readChunks(db, run.run_id, ref, 0, ref.chunks - 1);
    budget.ranges -= 1;
    // a part whose chunks are not all there yet is left for the client to read (and retry)
    if (chunks === null) break;
    budget.bytes -= ref.bytes;
    loaded.push(chunks);
  }
  return {
    run_id: run.run_id,
    thread_id: run.thread_id,
    created_at: run.created_at,
    last_stream_id: run.last_stream_id,
    parts,
    loaded,
  };
}

/** Chunks `from..to` of a part, in order; null when one is missing (cleaned up after a newer write). */
export async function readChunks(
  db: DatabaseReader,
  runId: string,
  ref: { part: number; upload: string },
  from: number,
  to: number,
): Promise<string[] | null> {
  const docs = await db
    .query('items')
    .withIndex('by_part', (q) =>
      q.eq('run_id', runId).eq('upload', ref.upload).eq('part', ref.part).gte('chunk', from).lte('chunk', to),
    )
    .collect();
  const out: string[] = [];
  // a retried upload call may have stored a chunk twice: the copies are identical, keep one
  for (const doc of docs) if (doc.chunk === from + out.length) out.push(doc.data);
  return out.length === to - from + 1 ? out : null;
}
