import type { Doc } from '../_generated/dataModel';
import type { DatabaseReader } from '../_generated/server';
import { compareStreamIds } from './stream-id';
import { findLiveThread, findRun } from './thread-doc';

export type WriteRefusal =
  | { status: 'thread_not_found' }
  | { status: 'mismatch'; thread_id: string }
  | { status: 'stale'; last_stream_id: string | null };

/**
 * Whether a snapshot may be written: its thread must exist, the run must not belong to another
 * thread, and the snapshot must not be older (by stream id) than the stored one.
 */
export async function checkWrite(
  db: DatabaseReader,
  args: { run_id: string; thread_id: string; last_stream_id: string | null },
): Promise<
  | { refusal: WriteRefusal; run?: undefined; thread?: undefined }
  | { refusal: null; run: Doc<'runs'> | null; thread: Doc<'threads'> }
> {
  const thread = await findLiveThread(db, args.thread_id);
  if (!thread) return { refusal: { status: 'thread_not_found' } };
  const run = await findRun(db, args.run_id);
  if (run && run.thread_id !== args.thread_id)
    return { refusal: { status: 'mismatch', thread_id: run.thread_id } };
  if (run && compareStreamIds(args.last_stream_id, run.last_stream_id) < 0) {
    return { refusal: { status: 'stale', last_stream_id: run.last_stream_id } };
  }
  return { refusal: null, run, thread };
}
