import { api } from '@cody/convex/api';
import { CALL_BYTES, CALL_RANGES, CHUNK_BYTES } from '@cody/convex/limits';
import { CodyError, type Thread } from '@cody/schema';
import type { FunctionReturnType } from 'convex/server';
import { RunThreadMismatchError } from '../errors/run-thread-mismatch-error';
import { StoreError } from '../errors/store-error';
import { ThreadAlreadyExistsError } from '../errors/thread-already-exists-error';
import { ThreadNotFoundError } from '../errors/thread-not-found-error';
import type {
  CreateThreadInput,
  ListThreadsOptions,
  PutRunResult,
  Store,
  StoredRun,
  ThreadPage,
} from '../store';
import {
  buildNewThread,
  isStoreId,
  parseListThreadsOptions,
  parseStoredRun,
  parseThreadPatch,
} from '../store-input';
import { encodeThreadCursor } from '../thread-cursor';
import type { ConvexFunctionClient } from './convex-function-client';
import { decodeParts, encodeParts } from './encode-parts';
import { splitUtf8 } from './split-utf8';

type RunPayload = NonNullable<FunctionReturnType<typeof api.runs.get>>;
type Refusal = Exclude<FunctionReturnType<typeof api.runs.plan>, { status: 'ok' }>;
type Chunk = { part: number; chunk: number; data: string };

export interface ConvexStoreOptions {
  /** A `ConvexHttpClient` for a deployment, or any client that runs the same functions (convex-test). */
  client: ConvexFunctionClient;
  /** How long `ping` waits for an answer before rejecting; default 5000 ms. */
  pingTimeoutMs?: number;
}

// a write that keeps losing to other writers of the same run gives up after this many plans
const MAX_WRITE_ATTEMPTS = 5;
// a read that keeps finding text replaced under it (the run is being written fast) likewise
const MAX_READ_ATTEMPTS = 5;
// bounded steps of a deletion; far more than a thread of any size needs
const MAX_CLEANUP_STEPS = 100_000;

/**
 * The store behind `CONVEX_URL`: threads, runs and their items in Convex tables, through the
 * functions in `convex/`. A snapshot is split into parts (header + one per output item) whose
 * JSON text is chunked to ≤ 512 KiB documents; a write sends only the parts that changed, over
 * as many calls as its size needs, and switches the run to them in one transaction.
 */
export class ConvexStore implements Store {
  readonly kind = 'convex';
  private readonly client: ConvexFunctionClient;
  private readonly pingTimeoutMs: number;

  constructor(options: ConvexStoreOptions) {
    this.client = options.client;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 5000;
  }

  async createThread(input?: CreateThreadInput): Promise<Thread> {
    const thread = buildNewThread(input, Date.now());
    return this.call('createThread', async () => {
      const result = await this.client.mutation(api.threads.create, {
        thread_id: thread.id,
        title: thread.title,
        ...(thread.agent_id === undefined ? {} : { agent_id: thread.agent_id }),
      });
      if (result.status === 'exists') throw new ThreadAlreadyExistsError(thread.id);
      return result.thread;
    });
  }

  async getThread(id: string): Promise<Thread | null> {
    if (!isStoreId(id)) return null;
    return this.call('getThread', () => this.client.query(api.threads.get, { thread_id: id }));
  }

  async listThreads(options?: ListThreadsOptions): Promise<ThreadPage> {
    const { limit, cursor } = parseListThreadsOptions(options);
    return this.call('listThreads', async () => {
      const page = await this.client.query(api.threads.list, {
        limit,
        cursor: cursor && { updated_at: cursor.updatedAt, thread_id: cursor.id },
      });
      return {
        threads: page.threads,
        nextCursor:
          page.next && encodeThreadCursor({ updatedAt: page.next.updated_at, id: page.next.thread_id }),
      };
    });
  }

  async updateThread(id: string, patch: { title?: string }): Promise<Thread | null> {
    const { title } = parseThreadPatch(patch);
    if (!isStoreId(id)) return null;
    return this.call('updateThread', () =>
      this.client.mutation(api.threads.update, { thread_id: id, ...(title === undefined ? {} : { title }) }),
    );
  }

  async deleteThread(id: string): Promise<boolean> {
    if (!isStoreId(id)) return false;
    return this.call('deleteThread', async () => {
      const first = await this.client.mutation(api.threads.remove, { thread_id: id });
      let more = first.more;
      for (let step = 0; more; step++) {
        if (step > MAX_CLEANUP_STEPS) throw new StoreError(`deleting thread ${id} did not finish`);
        more = (await this.client.mutation(api.threads.remove, { thread_id: id })).more;
      }
      return first.deleted;
    });
  }

  async putRun(input: StoredRun): Promise<PutRunResult> {
    const { response, lastStreamId } = parseStoredRun(input);
    const parts = await encodeParts(response);
    const target = { run_id: response.id, thread_id: response.thread_id, last_stream_id: lastStreamId };
    return this.call('putRun', async () => {
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const plan = await this.client.query(api.runs.plan, {
          ...target,
          digests: parts.map((p) => p.digest),
        });
        if (plan.status !== 'ok') return this.refused(plan, response.id, response.thread_id);

        const missing = new Set(plan.missing);
        const upload = crypto.randomUUID();
        const chunks: Chunk[] = [];
        const partArgs = parts.map((part, index) => {
          const meta = {
            digest: part.digest,
            ...(part.item_id === undefined ? {} : { item_id: part.item_id, item_type: part.item_type }),
          };
          if (!missing.has(index)) return meta;
          const { pieces, bytes } = splitUtf8(part.text, CHUNK_BYTES);
          for (const [chunk, data] of pieces.entries()) chunks.push({ part: index, chunk, data });
          return { ...meta, new: { chunks: pieces.length, bytes } };
        });

        // small writes go in one commit; big ones send their text ahead in call-sized batches
        const textBytes = partArgs.reduce(
          (sum, part) => sum + ('new' in part && part.new ? part.new.bytes : 0),
          0,
        );
        const staged = textBytes + JSON.stringify(partArgs).length > CALL_BYTES;
        if (staged) await this.uploadAhead(target, upload, chunks);

        const result = await this.client.mutation(api.runs.commit, {
          ...target,
          turn_id: response.turn_id,
          status: response.status,
          created_at: response.created_at,
          updated_at: response.updated_at,
          upload,
          staged,
          parts: partArgs,
          chunks: staged ? [] : chunks,
        });
        if (result.garbage) await this.collectGarbage(response.id);
        if (result.status === 'stored') return { stored: true, lastStreamId };
        if (result.status !== 'conflict') return this.refused(result, response.id, response.thread_id);
      }
      throw new StoreError(`run ${response.id}: writes kept racing with other writers`, {
        isRetryable: true,
      });
    });
  }

  async getRun(id: string): Promise<StoredRun | null> {
    if (!isStoreId(id)) return null;
    return this.call('getRun', () => this.readRun(id));
  }

  async listRunsByThread(threadId: string): Promise<StoredRun[]> {
    if (!isStoreId(threadId)) return [];
    return this.call('listRunsByThread', async () => {
      const runs: StoredRun[] = [];
      let cursor: { created_at: number; run_id: string } | null = null;
      do {
        const page: FunctionReturnType<typeof api.runs.listByThread> = await this.client.query(
          api.runs.listByThread,
          { thread_id: threadId, cursor },
        );
        for (const payload of page.runs) {
          // a run rewritten while we read it is read again on its own
          const run = (await this.assemble(payload)) ?? (await this.readRun(payload.run_id));
          if (run) runs.push(run);
        }
        cursor = page.next;
      } while (cursor !== null);
      return runs;
    });
  }

  async ping(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new StoreError(`convex did not answer within ${this.pingTimeoutMs} ms`, { isRetryable: true }),
          ),
        this.pingTimeoutMs,
      );
    });
    try {
      await Promise.race([this.call('ping', () => this.client.query(api.health.ping, {})), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Nothing to release: the HTTP client holds no connection between calls. */
  async close(): Promise<void> {}

  private refused(refusal: Refusal, runId: string, threadId: string): PutRunResult {
    switch (refusal.status) {
      case 'stale':
        return { stored: false, lastStreamId: refusal.last_stream_id };
      case 'thread_not_found':
        throw new ThreadNotFoundError(threadId);
      case 'mismatch':
        throw new RunThreadMismatchError(runId, refusal.thread_id, threadId);
    }
  }

  private async uploadAhead(
    target: { run_id: string; thread_id: string },
    upload: string,
    chunks: readonly Chunk[],
  ): Promise<void> {
    let batch: Chunk[] = [];
    let bytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      // a thread deleted meanwhile: the commit that follows refuses and discards the upload
      await this.client.mutation(api.runs.upload, {
        run_id: target.run_id,
        thread_id: target.thread_id,
        upload,
        chunks: batch,
      });
      batch = [];
      bytes = 0;
    };
    for (const chunk of chunks) {
      const size = utf8Bytes(chunk.data);
      if (bytes + size > CALL_BYTES) await flush();
      batch.push(chunk);
      bytes += size;
    }
    await flush();
  }

  private async collectGarbage(runId: string): Promise<void> {
    for (let step = 0; ; step++) {
      if (step > MAX_CLEANUP_STEPS) throw new StoreError(`cleaning up run ${runId} did not finish`);
      if (!(await this.client.mutation(api.runs.collectGarbage, { run_id: runId })).more) return;
    }
  }

  private async readRun(id: string): Promise<StoredRun | null> {
    for (let attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
      const payload = await this.client.query(api.runs.get, { run_id: id });
      if (payload === null) return null;
      const run = await this.assemble(payload);
      if (run) return run;
    }
    throw new StoreError(`run ${id} kept changing while it was read`, { isRetryable: true });
  }

  /** Reads the parts `payload` did not carry and rebuilds the snapshot; null if text vanished meanwhile. */
  private async assemble(payload: RunPayload): Promise<StoredRun | null> {
    const pieces: string[][] = payload.parts.map((_, index) => payload.loaded[index]?.slice() ?? []);
    const chunksPerCall = Math.max(1, Math.floor(CALL_BYTES / CHUNK_BYTES));
    type Range = { part: number; upload: string; from: number; to: number; bytes: number };
    const ranges: Range[] = [];
    for (const [index, ref] of payload.parts.entries()) {
      if (ref.part !== index) return null;
      if (index < payload.loaded.length) continue;
      for (let from = 0; from < ref.chunks; from += chunksPerCall) {
        const to = Math.min(from + chunksPerCall, ref.chunks) - 1;
        const bytes = ref.chunks === 1 ? ref.bytes : (to - from + 1) * CHUNK_BYTES;
        ranges.push({ part: ref.part, upload: ref.upload, from, to, bytes });
      }
    }

    const batches: Range[][] = [];
    let batch: Range[] = [];
    let batchBytes = 0;
    for (const range of ranges) {
      if (batch.length > 0 && (batchBytes + range.bytes > CALL_BYTES || batch.length >= CALL_RANGES)) {
        batches.push(batch);
        batch = [];
        batchBytes = 0;
      }
      batch.push(range);
      batchBytes += range.bytes;
    }
    if (batch.length > 0) batches.push(batch);

    for (const group of batches) {
      const texts = await this.client.query(api.runs.read, {
        run_id: payload.run_id,
        ranges: group.map(({ part, upload, from, to }) => ({ part, upload, from, to })),
      });
      for (const [i, range] of group.entries()) {
        const text = texts[i];
        if (!text) return null;
        pieces[range.part]!.push(...text);
      }
    }
    return {
      response: decodeParts(pieces.map((chunks) => chunks.join(''))),
      lastStreamId: payload.last_stream_id,
    };
  }

  // backend failures become retryable StoreErrors; our own typed errors pass through
  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (CodyError.isInstance(error)) throw error;
      throw new StoreError(`convex store ${operation} failed: ${(error as Error).message}`, {
        cause: error,
        isRetryable: true,
      });
    }
  }
}

const encoder = new TextEncoder();
function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}
