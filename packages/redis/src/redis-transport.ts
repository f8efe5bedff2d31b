import type { StreamEvent, StreamPayload } from '@cody/schema';
import { context as otelContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RedisOptions } from 'ioredis';
import { announceRun } from './announce-run';
import { assertRedisTopology } from './assert-redis-topology';
import { CancelSignals } from './cancel-signals';
import { closeConnection } from './close-connection';
import { ConsumerGroup } from './consumer-group';
import { createRedisConnection, type RedisConnectionOptions } from './create-redis-connection';
import { createRedisKeys, DEFAULT_REDIS_PREFIX, type RedisKeys } from './create-redis-keys';
import { type CreateStreamEventOptions, createStreamEvent } from './create-stream-event';
import type { StreamEntry } from './decode-stream-entries';
import { deleteRun, isRunDeleted, threadRunIds, trackThreadRun } from './delete-run';
import { RedisCommandError } from './errors/redis-command-error';
import { expireRun } from './expire-run';
import { LeaseKeeper, type LeaseKeeperOptions } from './lease-keeper';
import { type Logger, silentLogger } from './logger';
import { publishEvent } from './publish-event';
import {
  type ConditionalPublishResult,
  type PublishConditions,
  publishIfUnchanged,
} from './publish-if-unchanged';
import { readLastEntry } from './read-last-entry';
import { type ReadRangeOptions, readRange } from './read-range';
import type { RedisClient } from './redis-client';
import { DEFAULT_REDIS_URL, type RedisTopology } from './resolve-redis-topology';
import { RunApprovals } from './run-approvals';
import { RunLeases } from './run-leases';
import { RunPublisher, type RunPublisherOptions } from './run-publisher';
import { ShardedConsumerGroup } from './sharded-consumer-group';
import { StreamTailer, type TailHandlers, type TailSubscription } from './stream-tailer';

export interface RedisTransportOptions {
  /** Where Redis is (`resolveRedisTopology(env)`); wins over `url`. */
  topology?: RedisTopology;
  /** `REDIS_URL` of a single node (when no `topology`); default `redis://127.0.0.1:6379`. */
  url?: string;
  /** `CODY_REDIS_PREFIX`; default `codex:`. */
  prefix?: string;
  logger?: Logger;
  /** Prefix of the connections' CLIENT SETNAME; default `cody`. */
  name?: string;
  /** Blocking connections the tailer may open; default 1. */
  tailConnections?: number;
  /** Longest XREAD block of the tailer (ms); default 5000. */
  tailBlockMs?: number;
  /**
   * Shards of the announce and tool-request streams (`createRedisKeys`' `streamShards`):
   * default 1 on a single node or Sentinel, `DEFAULT_CLUSTER_STREAM_SHARDS` (8) on a cluster.
   * Every process of a deployment must agree.
   */
  streamShards?: number;
}

/** Announce / tool-request stream shards on a cluster: spread over slots, few enough to read each. */
export const DEFAULT_CLUSTER_STREAM_SHARDS = 8;

export interface EmitOptions extends CreateStreamEventOptions {
  /** Record a PRODUCER span for the publish (a no-op without an OpenTelemetry SDK); default true. */
  span?: boolean;
}

const tracer = trace.getTracer('@cody/redis');

/**
 * Cody's Redis transport for one process: one command connection, one multiplexed tailer
 * (bounded blocking connections, opened on first use), one cancel subscriber (on first
 * listener), and the key layout of the prefix. Dedicated connections for blocking group
 * reads come from `createConnection`; whoever creates one closes it.
 */
export class RedisTransport {
  readonly topology: RedisTopology;
  /** The single node's URL (`''` on a cluster or Sentinel). */
  readonly url: string;
  readonly keys: RedisKeys;
  /** The command connection (non-blocking commands only). */
  readonly redis: RedisClient;
  readonly leases: RunLeases;
  readonly cancels: CancelSignals;
  readonly approvals: RunApprovals;
  private readonly logger: Logger;
  private readonly name: string;
  private readonly options: RedisTransportOptions;
  private tailerInstance: StreamTailer | undefined;
  private closed = false;

  constructor(options: RedisTransportOptions = {}) {
    this.options = options;
    this.topology = options.topology ?? { kind: 'single', url: options.url ?? DEFAULT_REDIS_URL };
    this.url = this.topology.kind === 'single' ? this.topology.url : '';
    this.keys = createRedisKeys(options.prefix ?? DEFAULT_REDIS_PREFIX, {
      streamShards:
        options.streamShards ?? (this.topology.kind === 'cluster' ? DEFAULT_CLUSTER_STREAM_SHARDS : 1),
    });
    this.logger = options.logger ?? silentLogger;
    this.name = options.name ?? 'cody';
    this.redis = this.createConnection('cmd');
    this.leases = new RunLeases(this.redis, this.keys);
    this.approvals = new RunApprovals(this.redis, this.keys);
    const cluster = this.topology.kind === 'cluster';
    this.cancels = new CancelSignals(
      this.redis,
      this.keys,
      // a cluster client relays SSUBSCRIBE only with sharded subscribers (one per master)
      (name) => this.createConnection(name, undefined, cluster ? { shardedSubscribers: true } : undefined),
      this.logger,
      cluster,
    );
  }

  /** A new connection to the same Redis (for blocking reads); the caller closes it. */
  createConnection(
    role: string,
    redisOptions?: RedisOptions,
    clusterOptions?: RedisConnectionOptions['clusterOptions'],
  ): RedisClient {
    return createRedisConnection(this.topology, {
      name: `${this.name}:${role}:${process.pid}`,
      logger: this.logger,
      ...(redisOptions ? { redisOptions } : {}),
      ...(clusterOptions ? { clusterOptions } : {}),
    });
  }

  /**
   * Refuses (RedisConfigurationError) a Redis whose mode the configuration does not describe:
   * a cluster node given as `REDIS_URL`, or a standalone server in `REDIS_CLUSTER_NODES`.
   * Servers and workers call it at start, before doing any work.
   */
  assertTopology(): Promise<void> {
    return assertRedisTopology(this.redis, this.topology);
  }

  /** The process-wide multiplexed reader of run streams. */
  get tailer(): StreamTailer {
    this.tailerInstance ??= new StreamTailer({
      keys: this.keys,
      control: this.redis,
      connect: (name) => this.createConnection(name),
      connections: this.options.tailConnections ?? 1,
      groupBySlot: this.topology.kind === 'cluster',
      blockMs: this.options.tailBlockMs ?? 5000,
      logger: this.logger,
      name: 'tail',
    });
    return this.tailerInstance;
  }

  /** Builds an event envelope for `runId` carrying the active trace context. */
  createEvent<P extends StreamPayload>(runId: string, payload: P, options?: CreateStreamEventOptions) {
    return createStreamEvent(runId, payload, options);
  }

  /** Validates and appends a complete event; returns its stream entry id. */
  publish(event: StreamEvent | unknown): Promise<string> {
    return publishEvent(this.redis, this.keys, event);
  }

  /** Wraps `payload` in an envelope (trace context of a PRODUCER span) and publishes it. */
  async emit<P extends StreamPayload>(
    runId: string,
    payload: P,
    options: EmitOptions = {},
  ): Promise<{ id: string; event: Extract<StreamEvent, { type: P['type'] }> }> {
    const parent = options.context ?? otelContext.active();
    if (options.span === false) {
      const event = createStreamEvent(runId, payload, { ...options, context: parent });
      return { id: await publishEvent(this.redis, this.keys, event), event };
    }
    const span = tracer.startSpan(
      `publish ${payload.type}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'redis',
          'messaging.operation.type': 'send',
          'messaging.destination.name': this.keys.runEvents(runId),
          'cody.run_id': runId,
          'cody.event_type': payload.type,
        },
      },
      parent,
    );
    try {
      const event = createStreamEvent(runId, payload, { ...options, context: trace.setSpan(parent, span) });
      const id = await publishEvent(this.redis, this.keys, event);
      span.setAttribute('messaging.message.id', id);
      return { id, event };
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  }

  /** The batching publisher for the events of one run this process produces (see RunPublisher). */
  runPublisher(runId: string, options?: RunPublisherOptions): RunPublisher {
    return new RunPublisher(this.redis, this.keys, runId, options);
  }

  publishIfUnchanged(
    runId: string,
    events: readonly unknown[],
    conditions?: PublishConditions,
  ): Promise<ConditionalPublishResult> {
    return publishIfUnchanged(this.redis, this.keys, runId, events, conditions);
  }

  readRange(runId: string, options?: ReadRangeOptions): Promise<StreamEntry[]> {
    return readRange(this.redis, this.keys, runId, options);
  }

  /** The last entry of the run's stream, or undefined. */
  lastEntry(runId: string): Promise<StreamEntry | undefined> {
    return readLastEntry(this.redis, this.keys, runId);
  }

  /** Deletes the run's keys now; a marker (`isRunDeleted`) keeps it from being recreated for `ttlSeconds`. */
  deleteRun(runId: string, ttlSeconds = 3600): Promise<void> {
    return deleteRun(this.redis, this.keys, runId, ttlSeconds);
  }

  isRunDeleted(runId: string): Promise<boolean> {
    return isRunDeleted(this.redis, this.keys, runId);
  }

  /** Records that the run belongs to the thread (deleting the thread stops and deletes it). */
  trackThreadRun(threadId: string, runId: string, ttlSeconds = 7 * 24 * 3600): Promise<void> {
    return trackThreadRun(this.redis, this.keys, threadId, runId, ttlSeconds);
  }

  threadRunIds(threadId: string): Promise<string[]> {
    return threadRunIds(this.redis, this.keys, threadId);
  }

  /** Forgets a deleted thread's run list. */
  async forgetThreadRuns(threadId: string): Promise<void> {
    await this.redis.del(this.keys.threadRuns(threadId));
  }

  /** Whether the run's event stream exists in Redis (live, or finished and not yet expired). */
  async hasRunStream(runId: string): Promise<boolean> {
    try {
      return (await this.redis.exists(this.keys.runEvents(runId))) === 1;
    } catch (error) {
      throw new RedisCommandError('EXISTS', error);
    }
  }

  /**
   * Live entries of a run after `afterId` as batches to `handlers` (multiplexed); `pause` stops
   * delivery to this reader until `resume`, without losing anything (flow control).
   */
  subscribe(runId: string, afterId: string, handlers: TailHandlers): TailSubscription {
    return this.tailer.subscribe(runId, afterId, handlers);
  }

  /** Live entries of a run after `afterId` until `signal` aborts (multiplexed). */
  tail(runId: string, afterId = '0-0', signal?: AbortSignal): AsyncGenerator<StreamEntry, void, undefined> {
    return this.tailer.tail(runId, afterId, signal);
  }

  announceRun(runId: string): Promise<string> {
    return announceRun(this.redis, this.keys, runId);
  }

  /** A consumer of `group` on `stream`; pass a dedicated `blocking` connection to `read`. */
  consumerGroup(options: {
    stream: string;
    group: string;
    consumer: string;
    blocking?: RedisClient;
  }): ConsumerGroup {
    return new ConsumerGroup({ redis: this.redis, ...options });
  }

  /**
   * A consumer of `group` over every shard of a stream (`keys.announceStreams`,
   * `keys.toolRequestStreams`), with one blocking connection per shard (named `<role>:<k>`,
   * or `<role>` with one shard) opened on first read; `close()` closes them.
   */
  streamConsumer(options: {
    streams: readonly string[];
    group: string;
    consumer: string;
    role: string;
  }): ShardedConsumerGroup {
    const { streams, role } = options;
    return new ShardedConsumerGroup({
      redis: this.redis,
      streams,
      group: options.group,
      consumer: options.consumer,
      connect: (index) => this.createConnection(streams.length === 1 ? role : `${role}:${index}`),
    });
  }

  expireRun(runId: string, ttlSeconds: number): Promise<void> {
    return expireRun(this.redis, this.keys, runId, ttlSeconds);
  }

  /** Starts renewing a lease `owner` already holds (see `leases.acquire`). */
  keepLease(runId: string, owner: string, options?: LeaseKeeperOptions): LeaseKeeper {
    return new LeaseKeeper(this.leases, runId, owner, { logger: this.logger, ...options });
  }

  /** Resolves when Redis answers PING (health checks). */
  async ping(): Promise<void> {
    await this.redis.ping();
  }

  /** Closes the tailer, the cancel subscriber and the command connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tailerInstance?.close();
    await this.cancels.close();
    await closeConnection(this.redis);
  }
}
