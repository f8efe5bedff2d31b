import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { compareStreamIds } from './compare-stream-ids';
import type { RedisKeys } from './create-redis-keys';
import { decodeStreamEntries, type RawStreamEntry, type StreamEntry } from './decode-stream-entries';
import { RedisCommandError } from './errors/redis-command-error';
import { StreamResetError } from './errors/stream-reset-error';
import { TailerClosedError } from './errors/tailer-closed-error';
import { keySlot } from './keys-by-slot';
import { type Logger, silentLogger } from './logger';
import { nodeForKey } from './node-for-key';
import { reconnectBackoff } from './reconnect-backoff';
import { isClusterClient, type RedisClient } from './redis-client';
import { shardIndex } from './shard-index';
import { sleep } from './sleep';
import { unlessAborted } from './unless-aborted';

export interface StreamTailerOptions {
  keys: RedisKeys;
  /** Opens one dedicated connection for blocking reads; called at most `connections` times. */
  connect: (name: string) => RedisClient;
  /** A non-blocking connection used to interrupt a blocked read when a reader joins (CLIENT UNBLOCK). */
  control: RedisClient;
  /** Blocking connections to spread readers over (by run id); default 1. Ignored with `groupBySlot`. */
  connections?: number;
  /**
   * On a Redis Cluster one XREAD may only name keys of one slot: readers are grouped by their
   * stream's slot, one blocking connection per slot that has readers (opened with the first,
   * closed with the last). Default false (a single node: `connections` shards by run id).
   */
  groupBySlot?: boolean;
  /** How long one XREAD blocks; readers joining interrupt it, so this only bounds idle loops. Default 5000 ms. */
  blockMs?: number;
  /** Entries per stream per read; default 500. */
  count?: number;
  /** Entries a `tail()` reader may have queued before its stream is left out of reads; default 2000. */
  highWaterMark?: number;
  logger?: Logger;
  /** Prefix of the blocking connections' CLIENT SETNAME; default `cody:tail`. */
  name?: string;
}

export interface TailHandlers {
  /** Entries after the reader's cursor, in stream order; called synchronously by the read loop. */
  onEntries(entries: StreamEntry[]): void;
  /** The reader was ended by the tailer (closed, or its key is not a stream). */
  onError?(error: Error): void;
}

export interface TailSubscription {
  readonly runId: string;
  /** Id of the last entry delivered (the start id until something arrives). */
  readonly cursor: string;
  readonly paused: boolean;
  /** Leaves the stream out of reads until `resume` (flow control; nothing is lost). */
  pause(): void;
  resume(): void;
  close(): void;
}

export interface TailerStats {
  readers: number;
  /** Readers left out of reads until they catch up (flow control). */
  paused: number;
  streams: number;
  /** Blocking connections opened so far (never more than `connections`). */
  connections: number;
}

interface Reader extends TailSubscription {
  readonly key: string;
  cursor: string;
  paused: boolean;
  closed: boolean;
  handlers: TailHandlers;
}

/**
 * Multiplexes live reads of any number of run streams over a bounded number of blocking
 * connections: each connection loops on one `XREAD BLOCK … STREAMS k1 k2 … id1 id2 …` over
 * the streams of its readers. A joining reader interrupts the blocked read (CLIENT UNBLOCK)
 * so it starts at once. Each reader keeps its own cursor, advanced only by delivery, so after
 * a reconnect every reader resumes exactly after its last entry: no gap, no duplicate.
 */
export class StreamTailer {
  /** Shard number (run-id hash, or slot with `groupBySlot`) → its shard. */
  private readonly shards = new Map<number, TailerShard>();
  private readonly options: Required<Omit<StreamTailerOptions, 'logger'>> & { logger: Logger };
  private readonly size: number;
  private readonly tag = randomUUID().slice(0, 8);
  private closed = false;

  constructor(options: StreamTailerOptions) {
    this.options = {
      connections: 1,
      blockMs: 5000,
      count: 500,
      highWaterMark: 2000,
      name: 'cody:tail',
      groupBySlot: false,
      logger: silentLogger,
      ...options,
    };
    this.size = Math.max(1, Math.floor(this.options.connections));
  }

  private shardFor(runId: string): TailerShard {
    const key = this.options.keys.runEvents(runId);
    const index = this.options.groupBySlot ? keySlot(key) : shardIndex(runId, this.size);
    let shard = this.shards.get(index);
    if (shard === undefined) {
      shard = new TailerShard(this.options, index, this.tag, key);
      this.shards.set(index, shard);
    }
    return shard;
  }

  private removeReader(shard: TailerShard, reader: Reader): void {
    shard.remove(reader);
    // per-slot connections would otherwise pile up as runs come and go
    if (this.options.groupBySlot && shard.isEmpty() && this.shards.get(shard.index) === shard) {
      this.shards.delete(shard.index);
      void shard.close();
    }
  }

  /** Follows `runId`'s stream from after `afterId` (`0-0` = from the start) with callbacks. */
  subscribe(runId: string, afterId: string, handlers: TailHandlers): TailSubscription {
    if (this.closed) throw new TailerClosedError();
    const shard = this.shardFor(runId);
    const reader: Reader = {
      runId,
      key: this.options.keys.runEvents(runId),
      cursor: afterId || '0-0',
      paused: false,
      closed: false,
      handlers,
      pause: () => {
        reader.paused = true;
      },
      resume: () => {
        if (!reader.paused || reader.closed) return;
        reader.paused = false;
        shard.wakeFor(reader);
      },
      close: () => {
        if (reader.closed) return;
        reader.closed = true;
        this.removeReader(shard, reader);
      },
    };
    shard.add(reader);
    return reader;
  }

  /**
   * Yields the entries of `runId`'s stream after `afterId`, in order, live, until `signal`
   * aborts (then it returns). Throws TailerClosedError if the tailer closes first.
   */
  async *tail(
    runId: string,
    afterId = '0-0',
    signal?: AbortSignal,
  ): AsyncGenerator<StreamEntry, void, undefined> {
    if (signal?.aborted) return;
    const queue: StreamEntry[] = [];
    let head = 0;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      const resolve = wake;
      wake = undefined;
      resolve?.();
    };
    const highWater = this.options.highWaterMark;
    const subscription = this.subscribe(runId, afterId, {
      onEntries: (entries) => {
        for (const entry of entries) queue.push(entry);
        if (queue.length - head >= highWater) subscription.pause();
        notify();
      },
      onError: (error) => {
        failure = error;
        notify();
      },
    });
    signal?.addEventListener('abort', notify, { once: true });
    try {
      while (!signal?.aborted) {
        if (head < queue.length) {
          const entry = queue[head] as StreamEntry;
          queue[head] = undefined as unknown as StreamEntry;
          head++;
          if (head > 1024 && head * 2 > queue.length) {
            queue.splice(0, head);
            head = 0;
          }
          if (subscription.paused && queue.length - head <= highWater / 2) subscription.resume();
          yield entry;
          continue;
        }
        if (failure) throw failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      signal?.removeEventListener('abort', notify);
      subscription.close();
    }
  }

  stats(): TailerStats {
    let readers = 0;
    let paused = 0;
    let streams = 0;
    let connections = 0;
    for (const shard of this.shards.values()) {
      const stats = shard.stats();
      readers += stats.readers;
      paused += stats.paused;
      streams += stats.streams;
      connections += stats.connections;
    }
    return { readers, paused, streams, connections };
  }

  /** Ends every reader (TailerClosedError) and closes the blocking connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.shards.values()].map((shard) => shard.close()));
  }
}

type ShardOptions = Required<Omit<StreamTailerOptions, 'logger'>> & { logger: Logger };

class TailerShard {
  private readonly readers = new Map<string, Set<Reader>>();
  private connection: RedisClient | undefined;
  private clientId: number | undefined;
  private loop: Promise<void> | undefined;
  private idle: (() => void) | undefined;
  /** Streams and ids of the XREAD in flight. */
  private inFlight: Map<string, string> | undefined;
  /** A reader joined that the read in flight does not cover. */
  private wakePending = false;
  private unblocking = false;
  private closed = false;
  private readonly stopping = new AbortController();
  private readerCount = 0;
  private readonly connectionName: string;
  /** The connection dropped since the last read; readers' positions must be verified. */
  private suspect = false;

  /** `slotKey`: a stream key of this shard; on a cluster it names the node to send CLIENT commands to. */
  constructor(
    private readonly options: ShardOptions,
    readonly index: number,
    tag: string,
    private readonly slotKey: string,
  ) {
    this.connectionName = `${options.name}:${tag}:${index}`;
  }

  isEmpty(): boolean {
    return this.readerCount === 0;
  }

  /**
   * The node connection inside `redis` serving this shard's streams. On a cluster a CLIENT ID,
   * LIST or UNBLOCK sent anywhere else would name another node's clients. With `groupBySlot`
   * every stream of the shard is in `slotKey`'s slot; on a single node it is `redis` itself.
   */
  private node(redis: RedisClient): Promise<Redis> {
    return nodeForKey(redis, this.slotKey);
  }

  add(reader: Reader): void {
    let set = this.readers.get(reader.key);
    if (set === undefined) {
      set = new Set();
      this.readers.set(reader.key, set);
    }
    set.add(reader);
    this.readerCount++;
    this.loop ??= this.run();
    this.wakeFor(reader);
  }

  remove(reader: Reader): void {
    const set = this.readers.get(reader.key);
    if (set?.delete(reader)) {
      this.readerCount--;
      if (set.size === 0) this.readers.delete(reader.key);
    }
    // a read still covering the stream just has nobody to deliver to: no need to interrupt it
  }

  wakeFor(reader: Reader): void {
    if (this.closed || reader.paused) return;
    if (this.idle) {
      const resume = this.idle;
      this.idle = undefined;
      resume();
      return;
    }
    const inFlight = this.inFlight;
    // between two reads the next one is built from every reader, this one included
    if (inFlight === undefined) return;
    const sent = inFlight.get(reader.key);
    if (sent !== undefined && compareStreamIds(sent, reader.cursor) <= 0) return;
    this.wakePending = true;
    if (!this.unblocking) void this.unblock();
  }

  stats(): TailerStats {
    let paused = 0;
    for (const set of this.readers.values()) for (const reader of set) if (reader.paused) paused++;
    return {
      readers: this.readerCount,
      paused,
      streams: this.readers.size,
      connections: this.connection ? 1 : 0,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopping.abort();
    this.idle?.();
    this.idle = undefined;
    this.connection?.disconnect();
    await this.loop;
    const error = new TailerClosedError();
    for (const set of this.readers.values()) {
      for (const reader of set) {
        reader.closed = true;
        reader.handlers.onError?.(error);
      }
    }
    this.readers.clear();
    this.readerCount = 0;
  }

  private ensureConnection(): RedisClient {
    if (this.connection) return this.connection;
    const connection = this.options.connect(this.connectionName);
    const dropped = () => {
      this.clientId = undefined;
      // Redis may have restarted and lost data: check cursors before trusting the next reply
      this.suspect = true;
    };
    connection.on('close', dropped);
    // a Cluster reports a node connection it lost as `-node` (it re-routes instead of reconnecting)
    if (isClusterClient(connection)) connection.on('-node', dropped);
    this.connection = connection;
    return connection;
  }

  /**
   * The blocking connection's client id, for CLIENT UNBLOCK. Asked on the connection itself
   * before a read; after a reconnect ioredis re-sends the read first, so it is looked up by
   * connection name instead (CLIENT LIST, once per reconnect).
   */
  private async findClientId(): Promise<number | undefined> {
    const list = (await (await this.node(this.options.control)).client('LIST')) as string;
    // the factory may decorate the name (process id…); the random tag keeps it unique
    const line = list.split('\n').find((l) => / name=(\S*)/.exec(l)?.[1]?.includes(this.connectionName));
    const id = line === undefined ? undefined : /(?:^| )id=(\d+)/.exec(line)?.[1];
    if (id !== undefined) this.clientId = Number(id);
    return this.clientId;
  }

  /** Stream key → smallest cursor among its unpaused readers. */
  private activeStreams(): Map<string, string> {
    const streams = new Map<string, string>();
    for (const [key, set] of this.readers) {
      let min: string | undefined;
      for (const reader of set) {
        if (reader.paused) continue;
        if (min === undefined || compareStreamIds(reader.cursor, min) < 0) min = reader.cursor;
      }
      if (min !== undefined) streams.set(key, min);
    }
    return streams;
  }

  private async run(): Promise<void> {
    const { blockMs, count, logger } = this.options;
    let failures = 0;
    while (!this.closed) {
      const streams = this.activeStreams();
      if (streams.size === 0) {
        await new Promise<void>((resolve) => {
          this.idle = resolve;
        });
        continue;
      }
      const connection = this.ensureConnection();
      let reply: unknown;
      try {
        if (this.clientId === undefined) {
          const id = await unlessAborted(
            this.node(connection).then((node) => node.client('ID')),
            this.stopping.signal,
          );
          // readers may have come or gone meanwhile
          if (this.closed) break;
          this.clientId = Number(id);
          continue;
        }
        this.wakePending = false;
        this.inFlight = streams;
        reply = await unlessAborted(
          connection.call(
            'XREAD',
            'COUNT',
            count,
            'BLOCK',
            blockMs,
            'STREAMS',
            ...streams.keys(),
            ...streams.values(),
          ),
          this.stopping.signal,
        );
        if (this.closed) break;
        failures = 0;
      } catch (error) {
        this.inFlight = undefined;
        if (this.closed) break;
        failures++;
        logger.warn({ err: error, streams: streams.size }, 'stream tail read failed; retrying');
        if (error instanceof Error && error.message.includes('WRONGTYPE')) await this.dropNonStreams(streams);
        await sleep(reconnectBackoff(failures), this.stopping.signal);
        continue;
      }
      this.inFlight = undefined;
      if (this.suspect) {
        // this reply may come from a Redis that lost entries: drop it, verify, read again
        this.suspect = false;
        try {
          await this.verifyCursors(connection);
        } catch (error) {
          this.suspect = true;
          if (!this.closed) logger.warn({ err: error }, 'verifying tail positions failed; retrying');
        }
        continue;
      }
      if (Array.isArray(reply)) this.dispatch(reply as [string, RawStreamEntry[]][], streams);
    }
  }

  /** `sent`: the id each stream was read after; a reader behind it joined later and waits for the next read. */
  private dispatch(reply: [string, RawStreamEntry[]][], sent: Map<string, string>): void {
    for (const [key, raw] of reply) {
      const set = this.readers.get(key);
      const from = sent.get(key);
      if (set === undefined || raw.length === 0 || from === undefined) continue;
      const entries = decodeStreamEntries(raw);
      const lastId = (entries.at(-1) as StreamEntry).id;
      for (const reader of set) {
        // a paused reader keeps its cursor: the read after `resume` starts from it
        if (reader.closed || reader.paused || compareStreamIds(lastId, reader.cursor) <= 0) continue;
        // delivering would skip the entries between the reader's cursor and `from`
        if (compareStreamIds(from, reader.cursor) > 0) continue;
        let start = 0;
        while (
          start < entries.length &&
          compareStreamIds((entries[start] as StreamEntry).id, reader.cursor) <= 0
        )
          start++;
        const delivered = start === 0 ? entries : entries.slice(start);
        reader.cursor = lastId;
        try {
          reader.handlers.onEntries(delivered);
        } catch (error) {
          this.options.logger.error({ err: error, run_id: reader.runId }, 'stream tail reader threw');
        }
      }
    }
  }

  private async unblock(): Promise<void> {
    this.unblocking = true;
    try {
      for (let attempt = 0; this.wakePending && this.inFlight && !this.closed; attempt++) {
        const id = this.clientId ?? (await this.findClientId());
        // 0 means the read had not reached Redis yet (or just returned): try again shortly
        const control = await this.node(this.options.control);
        if (id !== undefined && (await control.call('CLIENT', 'UNBLOCK', id)) === 1) return;
        await sleep(Math.min(100, 2 ** attempt));
      }
    } catch (error) {
      this.options.logger.debug({ err: error }, 'could not interrupt the blocked stream read');
    } finally {
      this.unblocking = false;
    }
  }

  /** Ends readers whose last entry is gone from their stream: reading on would skip events. */
  private async verifyCursors(connection: RedisClient): Promise<void> {
    const readers = [...this.readers.values()]
      .flatMap((set) => [...set])
      .filter((reader) => reader.cursor !== '0-0');
    if (readers.length === 0) return;
    const pipeline = connection.pipeline();
    for (const reader of readers) pipeline.xrange(reader.key, reader.cursor, reader.cursor);
    const replies = (await pipeline.exec()) ?? [];
    readers.forEach((reader, index) => {
      const [error, found] = replies[index] ?? [];
      if (error || reader.closed || (found as unknown[]).length > 0) return;
      reader.close();
      reader.handlers.onError?.(new StreamResetError(reader.runId, reader.cursor));
    });
  }

  /** A key that is not a stream would fail every read of this connection: end its readers. */
  private async dropNonStreams(streams: Map<string, string>): Promise<void> {
    for (const key of streams.keys()) {
      const type = await this.options.control.type(key).catch(() => 'none');
      if (type === 'stream' || type === 'none') continue;
      const set = this.readers.get(key);
      for (const reader of set ?? []) {
        reader.close();
        reader.handlers.onError?.(
          new RedisCommandError('XREAD', new Error(`${key} is a ${type}, not a stream`)),
        );
      }
    }
  }
}
