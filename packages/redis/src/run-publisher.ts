import { parseStreamEvent, type StreamEvent, type StreamPayload } from '@cody/schema';
import {
  type Context,
  context as otelContext,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { RedisKeys } from './create-redis-keys';
import { createStreamEvent } from './create-stream-event';
import { RedisCommandError } from './errors/redis-command-error';
import type { RedisClient } from './redis-client';

export interface RunPublisherOptions {
  /**
   * How long one batch may wait for Redis (its connection queues commands while Redis is away)
   * before the publisher fails with `onStall`'s error; default 30 000 ms.
   */
  stallMs?: number;
  /** The error a stalled batch fails with (the run driver makes it REDIS_UNAVAILABLE). */
  onStall?: (stallMs: number) => Error;
  /** Events queued and not yet acknowledged before `emit` waits for Redis; default 2000. */
  maxQueued?: number;
}

export interface PublishedEntry {
  id: string;
  event: StreamEvent;
  /** The JSON written to Redis for it. */
  json: string;
}

interface Queued {
  event: StreamEvent;
  json: string;
}

const tracer = trace.getTracer('@cody/redis');

/**
 * The hot path of one run's events into Redis. `emit` validates the event once, serialises it
 * once and queues it; it does not wait for Redis. Events queued within one tick go out as one
 * pipeline (one XADD each, in order); while a batch is in flight the next one collects, so
 * there is never more than one batch on the wire and the stream keeps the order of `emit`.
 * One PRODUCER span per batch; its events carry that span's trace context. A failed or stalled
 * batch fails the publisher: every later `emit` and `flush` rejects with that error, and nothing
 * after the failed batch is written (no gap).
 */
export class RunPublisher {
  private queue: Queued[] = [];
  private batchSpan: Span | undefined;
  private batchContext: Context | undefined;
  private inFlight: Promise<void> | undefined;
  private scheduled = false;
  private failure: Error | undefined;
  private last: string | undefined;
  private readonly waiters: (() => void)[] = [];
  private readonly listeners = new Set<(entries: readonly PublishedEntry[]) => void>();
  private readonly stallMs: number;
  private readonly maxQueued: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    readonly runId: string,
    private readonly options: RunPublisherOptions = {},
  ) {
    this.stallMs = options.stallMs ?? 30_000;
    this.maxQueued = options.maxQueued ?? 2000;
  }

  /** Id of the last entry Redis acknowledged. */
  get lastId(): string | undefined {
    return this.last;
  }

  /**
   * Queues `payload` as an event of this run. Resolves at once, unless `maxQueued` events are
   * waiting for Redis: then once the batch in flight is acknowledged (backpressure). Throws the
   * event's ValidationError (nothing queued) or the publisher's failure.
   */
  async emit(payload: StreamPayload, parent: Context = otelContext.active()): Promise<void> {
    if (this.failure) throw this.failure;
    const event = parseStreamEvent(
      createStreamEvent(this.runId, payload, { context: this.contextFor(parent) }),
    );
    this.queue.push({ event, json: JSON.stringify(event) });
    this.schedule();
    while (this.queue.length >= this.maxQueued && !this.failure) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure) throw this.failure;
  }

  /** Waits until everything queued so far is in Redis; resolves with the last entry id. */
  async flush(): Promise<string | undefined> {
    while (!this.failure && (this.queue.length > 0 || this.inFlight)) {
      if (!this.inFlight) this.write();
      await this.inFlight;
    }
    if (this.failure) throw this.failure;
    return this.last;
  }

  /** Called with each acknowledged batch, in stream order (local fan-out, metrics). */
  onPublished(listener: (entries: readonly PublishedEntry[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The batch span (started with the batch's first event) whose context its events carry. */
  private contextFor(parent: Context): Context {
    if (this.batchContext === undefined) {
      this.batchSpan = tracer.startSpan(
        'publish',
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'redis',
            'messaging.operation.type': 'send',
            'messaging.destination.name': this.keys.runEvents(this.runId),
            'cody.run_id': this.runId,
          },
        },
        parent,
      );
      this.batchContext = trace.setSpan(parent, this.batchSpan);
    }
    return this.batchContext;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    // events emitted in this tick (one provider chunk's worth) join the batch
    setImmediate(() => {
      this.scheduled = false;
      if (!this.inFlight) this.write();
    });
  }

  private write(): void {
    if (this.failure || this.queue.length === 0) return;
    const batch = this.queue;
    const span = this.batchSpan;
    this.queue = [];
    this.batchSpan = undefined;
    this.batchContext = undefined;
    this.inFlight = this.send(batch, span).finally(() => {
      this.inFlight = undefined;
      for (const wake of this.waiters.splice(0)) wake();
      if (this.queue.length > 0) this.write();
    });
  }

  private async send(batch: Queued[], span: Span | undefined): Promise<void> {
    const key = this.keys.runEvents(this.runId);
    const pipeline = this.redis.pipeline();
    for (const item of batch) pipeline.xadd(key, '*', 'e', item.json);
    span?.setAttributes({
      'messaging.batch.message_count': batch.length,
      'cody.event_types': [...new Set(batch.map((item) => item.event.type))],
    });
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(this.options.onStall?.(this.stallMs) ?? new RedisCommandError('XADD', 'Redis did not answer'));
      }, this.stallMs);
    });
    try {
      const replies = (await Promise.race([pipeline.exec(), stalled])) ?? [];
      const entries: PublishedEntry[] = [];
      for (const [index, item] of batch.entries()) {
        const [error, id] = replies[index] ?? [new Error('no reply')];
        if (error) throw new RedisCommandError('XADD', error);
        entries.push({ id: id as string, event: item.event, json: item.json });
      }
      this.last = entries.at(-1)?.id ?? this.last;
      span?.setAttribute('messaging.message.id', this.last ?? '');
      for (const listener of this.listeners) listener(entries);
    } catch (error) {
      this.failure = error instanceof Error ? error : new RedisCommandError('XADD', error);
      span?.recordException(this.failure);
      span?.setStatus({ code: SpanStatusCode.ERROR });
    } finally {
      clearTimeout(timer);
      span?.end();
    }
  }
}
