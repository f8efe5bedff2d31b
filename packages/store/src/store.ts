import type { Response, Thread } from '@cody/schema';

/** A run's snapshot together with the id of the last stream entry it reflects. */
export interface StoredRun {
  response: Response;
  /** Redis stream entry id (`<ms>-<seq>`) of the last event reduced into `response`; null if none. */
  lastStreamId: string | null;
}

export interface ThreadPage {
  threads: Thread[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface CreateThreadInput {
  id?: string;
  title?: string;
  agent_id?: string;
}

/**
 * Where threads and run snapshots live. Every implementation passes the same contract suite.
 * - `putRun` never replaces a snapshot with an older one: a write whose `lastStreamId` is
 *   behind the stored one is ignored (two workers racing over one run after a takeover).
 * - `deleteThread` removes the thread's runs too.
 * - Lists are ordered: threads by `updated_at` descending, a thread's runs by `created_at`.
 */
export interface Store {
  readonly kind: string;
  createThread(input?: CreateThreadInput): Promise<Thread>;
  getThread(id: string): Promise<Thread | null>;
  listThreads(options?: { limit?: number; cursor?: string | null }): Promise<ThreadPage>;
  updateThread(id: string, patch: { title?: string }): Promise<Thread | null>;
  deleteThread(id: string): Promise<boolean>;
  putRun(run: StoredRun): Promise<void>;
  getRun(id: string): Promise<StoredRun | null>;
  listRunsByThread(threadId: string): Promise<StoredRun[]>;
  /** Resolves when the backing service answers; rejects otherwise (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
