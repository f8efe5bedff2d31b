import type { Doc } from '../_generated/dataModel';
import type { DatabaseReader } from '../_generated/server';

/** A thread as the Store contract shapes it (Cody's `Thread`). */
export interface ThreadRecord {
  id: string;
  title: string;
  agent_id?: string;
  created_at: number;
  updated_at: number;
}

export function toThreadRecord(
  doc: Pick<Doc<'threads'>, 'thread_id' | 'title' | 'agent_id' | 'created_at' | 'updated_at'>,
): ThreadRecord {
  const thread: ThreadRecord = {
    id: doc.thread_id,
    title: doc.title,
    created_at: doc.created_at,
    updated_at: doc.updated_at,
  };
  if (doc.agent_id !== undefined) thread.agent_id = doc.agent_id;
  return thread;
}

/** The thread document, deleted or not. */
export async function findThread(db: DatabaseReader, threadId: string): Promise<Doc<'threads'> | null> {
  return await db
    .query('threads')
    .withIndex('by_thread_id', (q) => q.eq('thread_id', threadId))
    .unique();
}

/** The thread as readers see it: a thread being deleted is already gone. */
export async function findLiveThread(db: DatabaseReader, threadId: string): Promise<Doc<'threads'> | null> {
  const doc = await findThread(db, threadId);
  return doc && !doc.deleting ? doc : null;
}

export async function findRun(db: DatabaseReader, runId: string): Promise<Doc<'runs'> | null> {
  return await db
    .query('runs')
    .withIndex('by_run_id', (q) => q.eq('run_id', runId))
    .unique();
}
