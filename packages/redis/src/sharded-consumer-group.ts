import { closeConnection } from './close-connection';
import { ConsumerGroup, type GroupEntry, type PendingEntry } from './consumer-group';
import type { RedisClient } from './redis-client';

export interface ShardedConsumerGroupOptions {
  /** Connection for non-blocking commands. */
  redis: RedisClient;
  /** The shards of one logical stream (`keys.announceStreams`, `keys.toolRequestStreams`). */
  streams: readonly string[];
  group: string;
  consumer: string;
  /** Opens the dedicated blocking connection of shard `index` (on its first read); closed by `close`. */
  connect: (index: number) => RedisClient;
}

/** What a worker needs of a consumer group, whether its stream is one key or several shards. */
export type StreamConsumer = Pick<
  ConsumerGroup,
  | 'group'
  | 'consumer'
  | 'ensure'
  | 'read'
  | 'ack'
  | 'ackAndDelete'
  | 'autoClaim'
  | 'keepAlive'
  | 'pending'
  | 'ownerOf'
  | 'pendingCount'
  | 'removeIdleConsumers'
> & {
  /** Closes the blocking connections. */
  close(): Promise<void>;
  /** Drops the blocking connections at once (a stopping worker: blocked reads end now). */
  disconnect(): void;
};

interface Settled {
  index: number;
  entries?: GroupEntry[];
  error?: unknown;
}

/**
 * One consumer of a group over every shard of a sharded stream, with ConsumerGroup's
 * interface. With one shard it is that shard's ConsumerGroup, ids unchanged. With several,
 * each entry id is qualified by its shard (`<k>/<id>`: ids of two streams can collide), which
 * every method takes back; treat ids as opaque.
 *
 * Reading: on a cluster each shard is its own slot, and one XREADGROUP may only name one
 * slot, so each shard gets its own blocking connection with one XREADGROUP BLOCK in flight
 * (the count of connections is the fixed shard count, not the number of runs). `read` returns
 * what the first shards to answer brought; reads still blocked stay in flight for the next
 * call. Entries beyond `count` (several shards answered at once) are kept for the next `read`
 * and kept alive meanwhile, so no other consumer claims them while they wait.
 */
export class ShardedConsumerGroup implements StreamConsumer {
  readonly streams: readonly string[];
  readonly group: string;
  readonly consumer: string;
  private readonly shards: ConsumerGroup[];
  private readonly connections: (RedisClient | undefined)[];
  private readonly inFlight: (Promise<void> | undefined)[];
  private readonly settled: Settled[] = [];
  private wake: (() => void) | undefined;
  /** Entries read but not yet returned (qualified ids). */
  private buffer: GroupEntry[] = [];
  private readonly connect: (index: number) => RedisClient;
  private readonly redis: RedisClient;
  private closed = false;

  constructor(options: ShardedConsumerGroupOptions) {
    if (options.streams.length === 0) throw new TypeError('a sharded consumer group needs a stream');
    this.streams = options.streams;
    this.group = options.group;
    this.consumer = options.consumer;
    this.redis = options.redis;
    this.connect = options.connect;
    this.connections = options.streams.map(() => undefined);
    this.inFlight = options.streams.map(() => undefined);
    this.shards = options.streams.map(
      (stream, index) =>
        new ConsumerGroup({
          redis: options.redis,
          // opened on the shard's first read
          blocking: () => this.openBlocking(index),
          stream,
          group: options.group,
          consumer: options.consumer,
        }),
    );
  }

  async ensure(startId = '0'): Promise<void> {
    await Promise.all(this.shards.map((shard) => shard.ensure(startId)));
  }

  async read(
    options: { count?: number; blockMs?: number; signal?: AbortSignal } = {},
  ): Promise<GroupEntry[]> {
    const count = options.count ?? 50;
    if (this.buffer.length > 0) return this.buffer.splice(0, count);
    if (this.shards.length === 1) return (this.shards[0] as ConsumerGroup).read(options);
    const { signal } = options;
    const deadline = Date.now() + (options.blockMs ?? 2000);
    const onAbort = () => this.wake?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      for (;;) {
        // every shard keeps one blocking read in flight (restarted as soon as one times out)
        if (!signal?.aborted && !this.closed) {
          for (let index = 0; index < this.shards.length; index++) {
            this.startRead(index, count, deadline - Date.now(), signal);
          }
        }
        const entries: GroupEntry[] = [];
        let failure: unknown;
        for (const { index, entries: got, error } of this.settled.splice(0)) {
          if (error !== undefined) failure ??= error;
          for (const entry of got ?? []) entries.push({ ...entry, id: qualify(index, entry.id) });
        }
        if (entries.length > 0 || failure !== undefined) {
          this.buffer.push(...entries.slice(count));
          if (failure !== undefined && entries.length === 0) throw failure;
          return entries.slice(0, count);
        }
        if (signal?.aborted || this.closed || Date.now() >= deadline) return [];
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        });
        clearTimeout(timer);
        this.wake = undefined;
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async ack(ids: readonly string[]): Promise<number> {
    let acked = 0;
    for (const [index, raw] of this.byShard(ids)) acked += await this.shard(index).ack(raw);
    return acked;
  }

  async ackAndDelete(ids: readonly string[]): Promise<void> {
    for (const [index, raw] of this.byShard(ids)) await this.shard(index).ackAndDelete(raw);
  }

  async autoClaim(
    minIdleMs: number,
    options: { count?: number } = {},
  ): Promise<{ claimed: GroupEntry[]; deleted: string[] }> {
    await this.keepBufferAlive();
    const claimed: GroupEntry[] = [];
    const deleted: string[] = [];
    // entries waiting in the buffer are this consumer's already; a claim must not hand them out twice
    const buffered = new Set(this.buffer.map((entry) => entry.id));
    for (const { index, entries } of this.settled)
      for (const entry of entries ?? []) buffered.add(qualify(index, entry.id));
    for (const [index, shard] of this.shards.entries()) {
      const result = await shard.autoClaim(minIdleMs, options);
      for (const entry of result.claimed) {
        const id = this.qualifyFor(index, entry.id);
        if (!buffered.has(id)) claimed.push({ ...entry, id });
      }
      for (const id of result.deleted) deleted.push(this.qualifyFor(index, id));
    }
    return { claimed, deleted };
  }

  async keepAlive(ids: readonly string[]): Promise<{ kept: string[]; lost: string[] }> {
    await this.keepBufferAlive();
    const kept: string[] = [];
    const lost: string[] = [];
    for (const [index, raw] of this.byShard(ids)) {
      const result = await this.shard(index).keepAlive(raw);
      for (const id of result.kept) kept.push(this.qualifyFor(index, id));
      for (const id of result.lost) lost.push(this.qualifyFor(index, id));
    }
    return { kept, lost };
  }

  /** Pending entries of one shard (when `start` names an id) or of every shard, oldest first within each. */
  async pending(
    options: { consumer?: string; count?: number; start?: string; end?: string } = {},
  ): Promise<PendingEntry[]> {
    if (options.start !== undefined && options.start !== '-') {
      const [index, start] = this.unqualify(options.start);
      const end =
        options.end === undefined || options.end === '+' ? options.end : this.unqualify(options.end)[1];
      const found = await this.shard(index).pending({
        ...options,
        start,
        ...(end === undefined ? {} : { end }),
      });
      return found.map((entry) => ({ ...entry, id: this.qualifyFor(index, entry.id) }));
    }
    const all: PendingEntry[] = [];
    for (const [index, shard] of this.shards.entries()) {
      for (const entry of await shard.pending(options))
        all.push({ ...entry, id: this.qualifyFor(index, entry.id) });
    }
    return options.count === undefined ? all : all.slice(0, options.count);
  }

  async ownerOf(id: string): Promise<string | null> {
    const [index, raw] = this.unqualify(id);
    return this.shard(index).ownerOf(raw);
  }

  async pendingCount(): Promise<number> {
    const counts = await Promise.all(this.shards.map((shard) => shard.pendingCount()));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async removeIdleConsumers(minIdleMs: number): Promise<string[]> {
    const removed = new Set<string>();
    for (const shard of this.shards)
      for (const name of await shard.removeIdleConsumers(minIdleMs)) removed.add(name);
    return [...removed];
  }

  /** Ends the blocked reads (they return []) and closes the blocking connections. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    const connections = this.connections.filter((connection): connection is RedisClient => !!connection);
    for (const connection of connections) connection.disconnect();
    await Promise.all(connections.map((connection) => closeConnection(connection)));
  }

  /** Drops every blocking connection (a stopping worker: its blocked reads end at once). */
  disconnect(): void {
    this.closed = true;
    this.wake?.();
    for (const connection of this.connections) connection?.disconnect();
  }

  private startRead(index: number, count: number, blockMs: number, signal: AbortSignal | undefined): void {
    if (this.inFlight[index] !== undefined) return;
    const shard = this.shard(index);
    this.inFlight[index] = shard
      .read({ count, blockMs: Math.max(1, Math.ceil(blockMs)), ...(signal ? { signal } : {}) })
      .then(
        (entries) => this.settle({ index, entries }),
        (error: unknown) => this.settle({ index, error }),
      );
  }

  private settle(result: Settled): void {
    this.inFlight[result.index] = undefined;
    // a timed-out read is not news; the read loop starts the next one
    if (result.error !== undefined || (result.entries?.length ?? 0) > 0) this.settled.push(result);
    this.wake?.();
  }

  /** Resets the idle time of buffered entries, and forgets those another consumer took meanwhile. */
  private async keepBufferAlive(): Promise<void> {
    if (this.buffer.length === 0) return;
    const lost = new Set<string>();
    for (const [index, raw] of this.byShard(this.buffer.map((entry) => entry.id))) {
      for (const id of (await this.shard(index).keepAlive(raw)).lost) lost.add(this.qualifyFor(index, id));
    }
    if (lost.size > 0) this.buffer = this.buffer.filter((entry) => !lost.has(entry.id));
  }

  private openBlocking(index: number): RedisClient {
    let connection = this.connections[index];
    if (connection === undefined) {
      connection = this.connect(index);
      this.connections[index] = connection;
    }
    return connection;
  }

  private shard(index: number): ConsumerGroup {
    const shard = this.shards[index];
    if (shard === undefined) throw new TypeError(`no shard ${index} in this consumer group`);
    return shard;
  }

  private qualifyFor(index: number, id: string): string {
    return this.shards.length === 1 ? id : qualify(index, id);
  }

  private unqualify(id: string): [number, string] {
    if (this.shards.length === 1) return [0, id];
    const match = /^(\d+)\/(.+)$/.exec(id);
    if (match === null) throw new TypeError(`"${id}" is not an entry id of this sharded consumer group`);
    return [Number(match[1]), match[2] as string];
  }

  private byShard(ids: readonly string[]): Map<number, string[]> {
    const groups = new Map<number, string[]>();
    for (const id of ids) {
      const [index, raw] = this.unqualify(id);
      const group = groups.get(index);
      if (group) group.push(raw);
      else groups.set(index, [raw]);
    }
    return groups;
  }
}

function qualify(index: number, id: string): string {
  return `${index}/${id}`;
}
