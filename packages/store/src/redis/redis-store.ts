import { CodyError, type Response, type Thread, ThreadSchema } from '@cody/schema';
import { Redis } from 'ioredis';
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
import { encodeThreadCursor, type ThreadCursor } from '../thread-cursor';
import { type RedisStoreKeys, redisStoreKeys } from './redis-store-keys';
import { CREATE_THREAD, DELETE_THREAD, LINK_RUN, PUT_RUN, UPDATE_THREAD } from './redis-store-scripts';
import { type RedisClient, runScript } from './run-script';

export const DEFAULT_REDIS_PREFIX = 'codex:';

export interface RedisStoreOptions {
  /** An ioredis client (standalone or Cluster) the caller owns, or a URL the store connects to. */
  redis: RedisClient | string;
  /** Prefix of every key; default `codex:`. */
  prefix?: string;
  /** How long `ping` waits for an answer before rejecting; default 2000 ms. */
  pingTimeoutMs?: number;
  /** Told about connection errors of a client the store opened itself (pino-compatible). */
  logger?: { warn(obj: object, msg?: string): void };
}

/**
 * The default store: threads and run snapshots in the Redis Cody already needs.
 *
 * A snapshot lives in one hash (`<p>run:{<runId>}:snapshot`) written by a Lua script that
 * compares stream ids before it writes, so a stale write is refused atomically. Threads are
 * hashes indexed by a sorted set on `updated_at`. Multi-key steps (link a run to its thread,
 * then write it) are ordered so that a crash or a concurrent delete leaves at worst an index
 * entry pointing at nothing, which readers skip and clean up.
 */
export class RedisStore implements Store {
  readonly kind = 'redis';
  readonly prefix: string;
  private readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private readonly keys: RedisStoreKeys;
  private readonly pingTimeoutMs: number;
  private closed = false;

  constructor(options: RedisStoreOptions) {
    this.prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.ownsClient = typeof options.redis === 'string';
    if (typeof options.redis === 'string') {
      const client = new Redis(options.redis);
      // operations and ping report failures themselves; without a listener ioredis prints each one
      client.on('error', (error: Error) =>
        options.logger?.warn({ err: error }, 'redis store connection error'),
      );
      this.client = client;
    } else {
      this.client = options.redis;
    }
    this.keys = redisStoreKeys(this.prefix);
    this.pingTimeoutMs = options.pingTimeoutMs ?? 2000;
  }

  async createThread(input?: CreateThreadInput): Promise<Thread> {
    const thread = buildNewThread(input, Date.now());
    return this.call('createThread', async () => {
      const created = await runScript(
        this.client,
        CREATE_THREAD,
        [this.keys.thread(thread.id)],
        [
          thread.id,
          thread.title,
          thread.created_at,
          thread.agent_id === undefined ? '0' : '1',
          thread.agent_id ?? '',
        ],
      );
      if (created !== 1) throw new ThreadAlreadyExistsError(thread.id);
      await this.client.zadd(this.keys.threadsByUpdated(), 'GT', thread.updated_at, thread.id);
      return thread;
    });
  }

  async getThread(id: string): Promise<Thread | null> {
    if (!isStoreId(id)) return null;
    return this.call('getThread', async () => toThread(await this.client.hgetall(this.keys.thread(id))));
  }

  async listThreads(options?: ListThreadsOptions): Promise<ThreadPage> {
    const { limit, cursor } = parseListThreadsOptions(options);
    return this.call('listThreads', async () => {
      const page: { thread: Thread; score: number }[] = [];
      let after = cursor;
      // one more than asked tells whether a next page exists; entries whose thread is gone are skipped
      while (page.length <= limit) {
        const want = limit + 1 - page.length;
        const entries = await this.indexAfter(after, want);
        const threads = await Promise.all(
          entries.map(async (entry) => toThread(await this.client.hgetall(this.keys.thread(entry.id)))),
        );
        for (const [i, entry] of entries.entries()) {
          const thread = threads[i];
          if (thread) page.push({ thread, score: entry.score });
          else await this.client.zrem(this.keys.threadsByUpdated(), entry.id);
        }
        const last = entries.at(-1);
        if (entries.length < want || last === undefined) break;
        after = { updatedAt: last.score, id: last.id };
      }
      const hasMore = page.length > limit;
      const shown = page.slice(0, limit);
      const last = shown.at(-1);
      return {
        threads: shown.map((entry) => entry.thread),
        nextCursor:
          hasMore && last ? encodeThreadCursor({ updatedAt: last.score, id: last.thread.id }) : null,
      };
    });
  }

  async updateThread(id: string, patch: { title?: string }): Promise<Thread | null> {
    const { title } = parseThreadPatch(patch);
    if (!isStoreId(id)) return null;
    return this.call('updateThread', async () => {
      const fields = await runScript(
        this.client,
        UPDATE_THREAD,
        [this.keys.thread(id)],
        [Date.now(), title === undefined ? '0' : '1', title ?? ''],
      );
      if (fields === null) return null;
      const thread = toThread(pairsToRecord(fields as string[]));
      if (thread) await this.client.zadd(this.keys.threadsByUpdated(), 'GT', thread.updated_at, id);
      return thread;
    });
  }

  async deleteThread(id: string): Promise<boolean> {
    if (!isStoreId(id)) return false;
    return this.call('deleteThread', async () => {
      const runIds = (await runScript(
        this.client,
        DELETE_THREAD,
        [this.keys.thread(id), this.keys.threadRuns(id)],
        [],
      )) as string[] | null;
      if (runIds === null) return false;
      await Promise.all(runIds.map((runId) => this.client.del(this.keys.run(runId))));
      await this.client.zrem(this.keys.threadsByUpdated(), id);
      return true;
    });
  }

  async putRun(input: StoredRun): Promise<PutRunResult> {
    const { response, lastStreamId } = parseStoredRun(input);
    const threadId = response.thread_id;
    return this.call('putRun', async () => {
      // link first: a concurrent deleteThread then either sees the run (and deletes it) or the
      // check after the write below sees the thread gone and removes the orphan
      const linked = await runScript(
        this.client,
        LINK_RUN,
        [this.keys.thread(threadId), this.keys.threadRuns(threadId)],
        [response.id, response.created_at, Date.now()],
      );
      if (linked === -1) throw new ThreadNotFoundError(threadId);
      const [added, updatedAt] = linked as [number, string];
      const [outcome, value] = (await runScript(
        this.client,
        PUT_RUN,
        [this.keys.run(response.id)],
        [lastStreamId ?? '', threadId, response.created_at, JSON.stringify(response)],
      )) as [string, string];
      if (outcome === 'mismatch') {
        if (added === 1) await this.client.zrem(this.keys.threadRuns(threadId), response.id);
        throw new RunThreadMismatchError(response.id, value, threadId);
      }
      const [, threadExists] = await Promise.all([
        this.client.zadd(this.keys.threadsByUpdated(), 'GT', updatedAt, threadId),
        outcome === 'stored' ? this.client.exists(this.keys.thread(threadId)) : 1,
      ]);
      if (outcome === 'stale') return { stored: false, lastStreamId: value === '' ? null : value };
      if (threadExists === 0) {
        await this.client.del(this.keys.run(response.id));
        throw new ThreadNotFoundError(threadId);
      }
      return { stored: true, lastStreamId };
    });
  }

  async getRun(id: string): Promise<StoredRun | null> {
    if (!isStoreId(id)) return null;
    return this.call('getRun', () => this.readRun(id));
  }

  async listRunsByThread(threadId: string): Promise<StoredRun[]> {
    if (!isStoreId(threadId)) return [];
    return this.call('listRunsByThread', async () => {
      const runIds = await this.client.zrange(this.keys.threadRuns(threadId), 0, -1);
      const runs = await Promise.all(runIds.map((runId) => this.readRun(runId)));
      return runs.filter((run): run is StoredRun => run !== null);
    });
  }

  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new StoreError(`redis did not answer within ${this.pingTimeoutMs} ms`, { isRetryable: true }),
          ),
        this.pingTimeoutMs,
      );
    });
    try {
      await Promise.race([this.call('ping', () => this.client.ping()), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the connection when the store opened it; a client passed in stays its owner's. */
  async close(): Promise<void> {
    if (!this.ownsClient || this.closed) return;
    this.closed = true;
    // quit waits for pending replies; a client that never connected has nothing to wait for
    if (this.client.status === 'ready') await this.client.quit();
    else this.client.disconnect();
  }

  private async readRun(id: string): Promise<StoredRun | null> {
    const [json, lastStreamId] = await this.client.hmget(this.keys.run(id), 'response', 'last_stream_id');
    if (json === null || json === undefined) return null;
    let response: Response;
    try {
      response = JSON.parse(json) as Response;
    } catch (error) {
      throw new StoreError(`stored snapshot of run ${id} is not valid JSON`, { cause: error });
    }
    return { response, lastStreamId: lastStreamId ? lastStreamId : null };
  }

  /** Index entries strictly after `cursor`, newest first; ties on updated_at ordered by id, descending. */
  private async indexAfter(
    cursor: ThreadCursor | null,
    count: number,
  ): Promise<{ id: string; score: number }[]> {
    const key = this.keys.threadsByUpdated();
    const entries: { id: string; score: number }[] = [];
    let upper = '+inf';
    if (cursor) {
      const ties = await this.client.zrange(key, cursor.updatedAt, cursor.updatedAt, 'BYSCORE');
      for (const id of ties.reverse()) {
        if (entries.length === count) return entries;
        if (id < cursor.id) entries.push({ id, score: cursor.updatedAt });
      }
      upper = `(${cursor.updatedAt}`;
    }
    const rest = await this.client.zrange(
      key,
      upper,
      '-inf',
      'BYSCORE',
      'REV',
      'LIMIT',
      0,
      count - entries.length,
      'WITHSCORES',
    );
    for (let i = 0; i + 1 < rest.length; i += 2) entries.push({ id: rest[i]!, score: Number(rest[i + 1]) });
    return entries;
  }

  // backend failures become retryable StoreErrors; our own typed errors pass through
  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (CodyError.isInstance(error)) throw error;
      throw new StoreError(`redis store ${operation} failed: ${(error as Error).message}`, {
        cause: error,
        isRetryable: true,
      });
    }
  }
}

function pairsToRecord(pairs: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) record[pairs[i]!] = pairs[i + 1]!;
  return record;
}

function toThread(fields: Record<string, string>): Thread | null {
  if (fields.id === undefined) return null;
  const parsed = ThreadSchema.safeParse({
    id: fields.id,
    title: fields.title,
    ...(fields.agent_id === undefined ? {} : { agent_id: fields.agent_id }),
    created_at: Number(fields.created_at),
    updated_at: Number(fields.updated_at),
  });
  if (!parsed.success)
    throw new StoreError(`stored thread ${fields.id} is corrupt`, { details: parsed.error.issues });
  return parsed.data;
}
