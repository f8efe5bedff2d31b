import { RedisCommandError } from './errors/redis-command-error';
import type { RedisClient } from './redis-client';
import { unlessAborted } from './unless-aborted';

/** One entry read through a group, fields as a record (`run`, `lease`, …). */
export interface GroupEntry {
  id: string;
  fields: Record<string, string>;
}

export interface PendingEntry {
  id: string;
  consumer: string;
  idleMs: number;
  deliveries: number;
}

export interface ConsumerGroupOptions {
  /** Connection for non-blocking commands. */
  redis: RedisClient;
  /**
   * Connection `read` blocks on; must not be shared with other commands. Default: `redis`. A
   * function opens it on the first read.
   */
  blocking?: RedisClient | (() => RedisClient);
  stream: string;
  group: string;
  consumer: string;
}

/**
 * One consumer of a Redis Streams consumer group: read new entries, ack them once their
 * effect is durable, keep one's own pending entries alive, and claim the entries of dead
 * consumers. Every command re-creates the group (and stream) when Redis lost them.
 */
export class ConsumerGroup {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  private readonly redis: RedisClient;
  private blockingConnection: RedisClient | (() => RedisClient);

  constructor(options: ConsumerGroupOptions) {
    this.redis = options.redis;
    this.blockingConnection = options.blocking ?? options.redis;
    this.stream = options.stream;
    this.group = options.group;
    this.consumer = options.consumer;
  }

  private get blocking(): RedisClient {
    if (typeof this.blockingConnection === 'function') this.blockingConnection = this.blockingConnection();
    return this.blockingConnection;
  }

  /** Creates the group (and the stream) unless it exists; `startId` `0` also delivers older entries. */
  async ensure(startId = '0'): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.stream, this.group, startId, 'MKSTREAM');
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('BUSYGROUP')) return;
      throw new RedisCommandError('XGROUP CREATE', error);
    }
  }

  /**
   * New entries for this consumer (`>`), blocking up to `blockMs`; [] on timeout, and [] as soon
   * as `signal` aborts (the reader is stopping and drops the blocking connection).
   */
  async read(
    options: { count?: number; blockMs?: number; signal?: AbortSignal } = {},
  ): Promise<GroupEntry[]> {
    const reply = await this.withGroup('XREADGROUP', () =>
      unlessAborted(
        this.blocking.call(
          'XREADGROUP',
          'GROUP',
          this.group,
          this.consumer,
          'COUNT',
          options.count ?? 50,
          'BLOCK',
          options.blockMs ?? 2000,
          'STREAMS',
          this.stream,
          '>',
        ),
        options.signal,
      ),
    );
    if (!Array.isArray(reply)) return [];
    const stream = reply[0] as [string, [string, string[] | null][]] | undefined;
    return stream ? toEntries(stream[1]) : [];
  }

  async ack(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.withGroup('XACK', () => this.redis.xack(this.stream, this.group, ...ids));
  }

  /** Acks and deletes entries in one transaction: for streams only this group consumes. */
  async ackAndDelete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.withGroup('XACK', async () => {
      const results = await this.redis
        .multi()
        .xack(this.stream, this.group, ...ids)
        .xdel(this.stream, ...ids)
        .exec();
      const failed = results?.find(([error]) => error !== null);
      if (failed) throw failed[0];
    });
  }

  /**
   * Claims, for this consumer, every entry pending longer than `minIdleMs` in any consumer
   * (XAUTOCLAIM, following the cursor to the end). `deleted` lists pending ids whose entry
   * no longer exists; Redis already dropped them from the pending list.
   */
  async autoClaim(
    minIdleMs: number,
    options: { count?: number } = {},
  ): Promise<{ claimed: GroupEntry[]; deleted: string[] }> {
    const claimed: GroupEntry[] = [];
    const deleted: string[] = [];
    let cursor = '0-0';
    do {
      const reply = (await this.withGroup('XAUTOCLAIM', () =>
        this.redis.call(
          'XAUTOCLAIM',
          this.stream,
          this.group,
          this.consumer,
          minIdleMs,
          cursor,
          'COUNT',
          options.count ?? 100,
        ),
      )) as [string, [string, string[] | null][], string[]?];
      cursor = reply[0];
      for (const [id, fields] of reply[1]) {
        // Redis 6.2 returns a deleted entry with no fields instead of listing it in `deleted`
        if (fields === null) deleted.push(id);
        else claimed.push({ id, fields: toRecord(fields) });
      }
      for (const id of reply[2] ?? []) deleted.push(id);
    } while (cursor !== '0-0');
    return { claimed, deleted };
  }

  /**
   * Resets the idle time of those of `ids` still pending for this consumer (XCLAIM … JUSTID),
   * so other consumers do not take them. Returns the ids that are ours (`kept`) and the ids
   * this consumer no longer holds (`lost`: claimed by another, acked, or gone).
   */
  async keepAlive(ids: readonly string[]): Promise<{ kept: string[]; lost: string[] }> {
    if (ids.length === 0) return { kept: [], lost: [] };
    const mine = new Set(
      (await this.pending({ consumer: this.consumer, count: ids.length + 1000 })).map((p) => p.id),
    );
    const ours = ids.filter((id) => mine.has(id));
    const lost = ids.filter((id) => !mine.has(id));
    if (ours.length === 0) return { kept: [], lost };
    const claimed = (await this.withGroup('XCLAIM', () =>
      this.redis.call('XCLAIM', this.stream, this.group, this.consumer, 0, ...ours, 'JUSTID'),
    )) as string[];
    const kept = new Set(claimed);
    return {
      kept: ours.filter((id) => kept.has(id)),
      lost: [...lost, ...ours.filter((id) => !kept.has(id))],
    };
  }

  /** Pending entries (oldest first), of one consumer or of all. */
  async pending(
    options: { consumer?: string; count?: number; start?: string; end?: string } = {},
  ): Promise<PendingEntry[]> {
    const args: (string | number)[] = [
      this.stream,
      this.group,
      options.start ?? '-',
      options.end ?? '+',
      options.count ?? 1000,
    ];
    if (options.consumer !== undefined) args.push(options.consumer);
    const reply = (await this.withGroup('XPENDING', () => this.redis.call('XPENDING', ...args))) as [
      string,
      string,
      number,
      number,
    ][];
    return reply.map(([id, consumer, idleMs, deliveries]) => ({ id, consumer, idleMs, deliveries }));
  }

  /** The consumer an entry is pending for, or null when it is not pending (acked or never read). */
  async ownerOf(id: string): Promise<string | null> {
    const [entry] = await this.pending({ start: id, end: id, count: 1 });
    return entry?.consumer ?? null;
  }

  /** Number of entries pending in the whole group. */
  async pendingCount(): Promise<number> {
    const reply = (await this.withGroup('XPENDING', () =>
      this.redis.call('XPENDING', this.stream, this.group),
    )) as [number, ...unknown[]];
    return Number(reply[0]);
  }

  /** Deletes other consumers that hold nothing and were idle longer than `minIdleMs` (dead processes). */
  async removeIdleConsumers(minIdleMs: number): Promise<string[]> {
    const reply = (await this.withGroup('XINFO CONSUMERS', () =>
      this.redis.call('XINFO', 'CONSUMERS', this.stream, this.group),
    )) as (string | number)[][];
    const removed: string[] = [];
    for (const flat of reply) {
      const info = toRecord(flat.map(String));
      const name = info.name;
      if (name === undefined || name === this.consumer) continue;
      if (Number(info.pending) === 0 && Number(info.idle) > minIdleMs) {
        // DELCONSUMER drops the consumer's pending entries too; it has none
        await this.redis.xgroup('DELCONSUMER', this.stream, this.group, name);
        removed.push(name);
      }
    }
    return removed;
  }

  private async withGroup<T>(command: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOGROUP')))
        throw new RedisCommandError(command, error);
    }
    // Redis lost the group (restarted without persistence): re-create it and try once more
    await this.ensure();
    try {
      return await run();
    } catch (error) {
      throw new RedisCommandError(command, error);
    }
  }
}

function toEntries(raw: [string, string[] | null][]): GroupEntry[] {
  return raw.map(([id, fields]) => ({ id, fields: toRecord(fields ?? []) }));
}

function toRecord(flat: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i] as string] = flat[i + 1] as string;
  return record;
}
