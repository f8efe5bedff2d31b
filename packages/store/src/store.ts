import type { Response, Thread } from '@cody/schema';

/** A run's snapshot together with the id of the last stream entry it reflects. */
export interface StoredRun {
  response: Response;
  /** Redis stream entry id (`<ms>-<seq>`) of the last event reduced into `response`; null if none. */
  lastStreamId: string | null;
}

/**
 * What `putRun` did. Extends the original `Promise<void>` contract (callers that ignore the
 * result are unaffected) so a persistence worker can tell it lost a race after a takeover.
 */
export interface PutRunResult {
  /** False when the write was refused because the stored snapshot reflects a later stream entry. */
  stored: boolean;
  /** `lastStreamId` of the snapshot stored after this call. */
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

export interface ListThreadsOptions {
  /** Page size, 1–100; default 20. */
  limit?: number;
  /** `nextCursor` of the previous page; absent or null for the first page. */
  cursor?: string | null;
}

/**
 * Where threads and run snapshots live. Every implementation passes the same contract suite.
 * - `putRun` never replaces a snapshot with an older one: a write whose `lastStreamId` is
 *   behind the stored one is ignored (two workers racing over one run after a takeover).
 * - `putRun` needs the run's thread to exist (`ThreadNotFoundError` otherwise) and bumps its
 *   `updated_at`; a run never moves to another thread (`RunThreadMismatchError`).
 * - `deleteThread` removes the thread's runs too.
 * - Lists are ordered: threads by `updated_at` descending, a thread's runs by `created_at`.
 * - Bad input throws `ValidationError` (code `VALIDATION_ERROR`) before anything is written.
 * - A lookup by an id that is not a UUID finds nothing (null / [] / false); it never throws.
 */
export interface Store {
  readonly kind: string;
  createThread(input?: CreateThreadInput): Promise<Thread>;
  getThread(id: string): Promise<Thread | null>;
  listThreads(options?: ListThreadsOptions): Promise<ThreadPage>;
  updateThread(id: string, patch: { title?: string }): Promise<Thread | null>;
  deleteThread(id: string): Promise<boolean>;
  putRun(run: StoredRun): Promise<PutRunResult>;
  getRun(id: string): Promise<StoredRun | null>;
  listRunsByThread(threadId: string): Promise<StoredRun[]>;
  /** Resolves when the backing service answers; rejects otherwise (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
