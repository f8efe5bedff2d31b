import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  compareStreamIds,
  execBySlot,
  extractTraceContext,
  type GroupEntry,
  type Logger,
  PROJECTOR_GROUP,
  REDIS_ERROR_CODES,
  type RedisTransport,
  reconnectBackoff,
  type StreamConsumer,
  type StreamEntry,
  silentLogger,
  sleep,
} from '@cody/redis';
import { reduceEventsToState, replayEvents } from '@cody/reducer';
import { CodyError, ERROR_CODES, type ErrorInfo, isTerminalStatus } from '@cody/schema';
import type { Store } from '@cody/store';
import { type Context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ChainableCommander } from 'ioredis';
import { closingEvents } from './closing-events';
import { isPermanentStoreError } from './is-permanent-store-error';
import { restoreEvents } from './restore-events';
import { RunProjection } from './run-projection';

export interface PersistenceWorkerOptions {
  transport: RedisTransport;
  store: Store;
  /** Consumer name in the group; unique per process. Default `<host>:<pid>:<random>`. */
  consumer?: string;
  /** How long a finished run's keys live after its terminal snapshot is stored; default 3600 s. */
  runTtlSeconds?: number;
  /** Least time between two snapshot writes of one run; default 250 ms (≤ 4 writes/s). */
  writeIntervalMs?: number;
  /**
   * Snapshots are written when an item finishes (and at the terminal event); progress inside a
   * streaming item is written at most this often, and never more often than 20× the time the
   * last write took (a big run's rewrites stay a small share of the store's time). Default 2000 ms.
   */
  liveIntervalMs?: number;
  /** An announce entry idle this long belongs to a dead worker and is claimed; default 5000 ms. */
  claimIdleMs?: number;
  /** Period of ownership keep-alive, claiming and the lease watchdog; default 1000 ms. */
  tickMs?: number;
  /**
   * How long a run's lease must be seen missing — every look in between answered by Redis —
   * before its owner is declared lost (RUN_OWNER_LOST); default 6000 ms: longer than a Redis
   * reconnect (backoff ≤ 2 s) plus a renewal period, so a Redis restart does not end live runs.
   */
  ownerGraceMs?: number;
  logger?: Logger;
}

export interface PersistenceWorkerStats {
  /** Runs this worker owns now. */
  ownedRuns: number;
  /** Snapshot writes so far. */
  writes: number;
  /** Runs whose terminal snapshot this worker stored and acked. */
  finishedRuns: number;
  /** Announce entries taken over from dead consumers. */
  claimedEntries: number;
  /** Runs ended `RUN_OWNER_LOST` by the watchdog. */
  ownerLostRuns: number;
  /** Runs ended `RUN_STREAM_LOST` (Redis lost their stream). */
  streamLostRuns: number;
}

const DEFAULTS = {
  runTtlSeconds: 3600,
  writeIntervalMs: 250,
  liveIntervalMs: 2000,
  claimIdleMs: 5000,
  tickMs: 1000,
  ownerGraceMs: 6000,
};
// dead consumers (no pending entries, silent this long) are removed from the group
const CONSUMER_RETENTION_MS = 3600_000;
const tracer = trace.getTracer('@cody/workers');

/**
 * Projects run streams into stored snapshots. Runs are discovered through the announce
 * stream (group `codex-projector-group`): the worker that reads a run's entry owns the run
 * until its terminal snapshot is stored, then acks the entry and sets the expiry of the
 * run's keys. All owned runs are read through the process' multiplexed tailer; snapshots
 * are written when an item finishes (at most every `writeIntervalMs`), inside a streaming item
 * every `liveIntervalMs` (longer for runs whose writes are slow), and always at the terminal
 * state, each with the last stream id it reflects. Every tick it keeps its entries alive, claims those of
 * dead workers, and watches leases: a run whose driver's lease stayed missing for `ownerGraceMs`
 * of looks Redis answered (not merely across a Redis restart) is ended RUN_OWNER_LOST.
 */
export class PersistenceWorker {
  readonly consumer: string;
  private readonly transport: RedisTransport;
  private readonly store: Store;
  private readonly logger: Logger;
  private readonly settings: typeof DEFAULTS;
  private readonly runs = new Map<string, RunProjection>();
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();
  private group: StreamConsumer | undefined;
  private announceLoop: Promise<void> | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private ticks = 0;
  /** When (performance.now) the watchdog last read every lease it watches. */
  private lastWatchAt: number | undefined;
  private started = false;
  private readonly counters = {
    writes: 0,
    finishedRuns: 0,
    claimedEntries: 0,
    ownerLostRuns: 0,
    streamLostRuns: 0,
  };

  constructor(options: PersistenceWorkerOptions) {
    this.transport = options.transport;
    this.store = options.store;
    this.logger = options.logger ?? silentLogger;
    this.consumer = options.consumer ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.settings = {
      runTtlSeconds: options.runTtlSeconds ?? DEFAULTS.runTtlSeconds,
      writeIntervalMs: options.writeIntervalMs ?? DEFAULTS.writeIntervalMs,
      liveIntervalMs: options.liveIntervalMs ?? DEFAULTS.liveIntervalMs,
      claimIdleMs: options.claimIdleMs ?? DEFAULTS.claimIdleMs,
      tickMs: options.tickMs ?? DEFAULTS.tickMs,
      ownerGraceMs: options.ownerGraceMs ?? DEFAULTS.ownerGraceMs,
    };
  }

  /** Joins the group and starts reading announcements; resolves once the group exists. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // every shard of the announce stream (one on a single node), one blocking connection each
    this.group = this.transport.streamConsumer({
      streams: this.transport.keys.announceStreams,
      group: PROJECTOR_GROUP,
      consumer: this.consumer,
      role: 'projector',
    });
    await this.group.ensure('0');
    this.announceLoop = this.readAnnouncements(this.group);
    this.tickTimer = setInterval(() => void this.tick(), this.settings.tickMs);
    // claim what dead workers left at once, not a tick later
    void this.tick();
    this.logger.info({ consumer: this.consumer }, 'persistence worker started');
  }

  /**
   * Stops reading, flushes pending snapshot writes, and leaves the announce entries of
   * unfinished runs pending so another worker claims them. Closes only what it opened.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.started || this.stopping.signal.aborted) return;
    this.stopping.abort();
    if (this.tickTimer) clearInterval(this.tickTimer);
    // dropping the blocking connections ends the XREADGROUPs the announce loop waits on
    this.group?.disconnect();
    await this.announceLoop;
    for (const run of this.runs.values()) run.stopReading();
    const flush = (async () => {
      await this.ticking;
      await Promise.allSettled([...this.tasks]);
      await Promise.allSettled(
        [...this.runs.values()].map(async (run) => {
          await run.writing;
          if (run.phase === 'live') await this.write(run);
        }),
      );
    })();
    // a store that does not answer (Redis down) must not hold the process forever
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      flush.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), options.timeoutMs ?? 10_000);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut)
      this.logger.warn({ runs: this.runs.size }, 'stopped before every pending snapshot was written');
    this.runs.clear();
    await this.group?.close();
    this.logger.info({ consumer: this.consumer }, 'persistence worker stopped');
  }

  stats(): PersistenceWorkerStats {
    return { ownedRuns: this.runs.size, ...this.counters };
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private track(task: Promise<unknown>): void {
    const settled = task.catch((error: unknown) => {
      if (!this.stopped) this.logger.error({ err: error }, 'persistence task failed');
    });
    this.tasks.add(settled);
    void settled.finally(() => this.tasks.delete(settled));
  }

  private async readAnnouncements(group: StreamConsumer): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let entries: GroupEntry[];
      try {
        entries = await group.read({ count: 100, blockMs: 2000, signal: this.stopping.signal });
        failures = 0;
      } catch (error) {
        if (this.stopped) return;
        failures++;
        this.logger.warn({ err: error }, 'reading run announcements failed; retrying');
        await sleep(reconnectBackoff(failures), this.stopping.signal);
        continue;
      }
      for (const entry of entries) this.track(this.take(entry));
    }
  }

  /** Becomes the owner of the run an announce entry names. */
  private async take(entry: GroupEntry): Promise<void> {
    const runId = entry.fields.run;
    const group = this.group as StreamConsumer;
    if (runId === undefined) {
      await group.ackAndDelete([entry.id]).catch(() => {});
      return;
    }
    const existing = this.runs.get(runId);
    if (existing) {
      // announced again (or claimed back): one entry per run is enough
      if (existing.entryId !== entry.id) await group.ackAndDelete([entry.id]).catch(() => {});
      return;
    }
    const run = new RunProjection(runId, entry.id, entry.fields.lease === '1');
    this.runs.set(runId, run);
    try {
      await this.load(run);
    } catch (error) {
      // left pending: after claimIdleMs it is claimed again (by us or another worker) and retried
      this.runs.delete(runId);
      this.logger.warn({ err: error, run_id: runId }, 'taking over run failed; it will be claimed again');
    }
  }

  private async load(run: RunProjection): Promise<void> {
    const stored = await this.store.getRun(run.runId);
    if (this.stopped) return;
    if (stored && isTerminalStatus(stored.response.status)) {
      // the previous owner stored the terminal state but died before acking
      run.phase = 'finishing';
      await this.release(run);
      return;
    }
    const [first] = await this.transport.readRange(run.runId, { count: 1 });
    if (stored?.lastStreamId) {
      run.storedId = stored.lastStreamId;
      if (first === undefined || compareStreamIds(first.id, stored.lastStreamId) > 0) {
        // Redis lost the entries the stored snapshot reflects: continue from the snapshot
        run.state = reduceEventsToState(replayEvents(stored.response));
        run.cursor = stored.lastStreamId;
        run.phase = 'live';
        await this.endStreamLost(run);
        return;
      }
    } else if (first === undefined) {
      this.logger.warn({ run_id: run.runId }, 'announced run has no events and no snapshot; dropping it');
      run.phase = 'finishing';
      await this.release(run);
      return;
    }
    if (this.stopped) return;
    // re-reduce from the stream's start: exact even for items the snapshot shows half-streamed
    run.phase = 'live';
    run.subscription = this.transport.tailer.subscribe(run.runId, '0-0', {
      onEntries: (entries) => this.onEntries(run, entries),
      onError: (error) => {
        // the stream lost entries we reduced (Redis restarted without persistence): end the run
        if (CodyError.isInstance(error) && error.code === REDIS_ERROR_CODES.RUN_STREAM_LOST) {
          this.track(this.endStreamLost(run));
        } else {
          this.logger.error({ err: error, run_id: run.runId }, 'run stream unreadable');
        }
      },
    });
  }

  private onEntries(run: RunProjection, entries: StreamEntry[]): void {
    if (run.phase !== 'live') return;
    run.apply(entries);
    if (run.terminal) {
      this.track(this.finish(run));
    } else if (run.unusable) {
      this.logger.error(
        { run_id: run.runId, error: run.state?.error },
        'run stream has no response_start; dropping it',
      );
      run.phase = 'finishing';
      run.stopReading();
      this.track(this.release(run));
    } else {
      this.scheduleWrite(run);
    }
  }

  private scheduleWrite(run: RunProjection): void {
    if (run.writing || run.phase !== 'live') return;
    const backoff = run.failures > 0 ? reconnectBackoff(run.failures) : 0;
    const spacing = run.itemFinished
      ? this.settings.writeIntervalMs
      : Math.max(this.settings.liveIntervalMs, 20 * run.lastWriteMs);
    const due = Math.max(Date.now() + backoff, run.lastWriteAt + spacing);
    // a finished item moves a write planned for later forward
    if (run.timer) {
      if (run.timerDue <= due) return;
      clearTimeout(run.timer);
    }
    run.timerDue = due;
    run.timer = setTimeout(() => {
      run.timer = undefined;
      if (run.phase !== 'live') return;
      run.writing = this.write(run).finally(() => {
        run.writing = undefined;
        if (run.phase === 'live' && this.behind(run)) this.scheduleWrite(run);
      });
    }, due - Date.now());
  }

  private behind(run: RunProjection): boolean {
    return (
      run.response !== undefined && (run.storedId === null || compareStreamIds(run.cursor, run.storedId) > 0)
    );
  }

  /** Writes the current snapshot; true when stored (or nothing to store), false to retry. */
  private async write(run: RunProjection): Promise<boolean> {
    const response = run.response;
    if (response === undefined || !this.behind(run)) return true;
    const lastStreamId = run.cursor;
    const span = tracer.startSpan(
      'cody.persist',
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'cody.run_id': run.runId,
          'cody.stream_id': lastStreamId,
          'cody.status': response.status,
          'cody.events': run.eventsSinceWrite,
          'cody.store': this.store.kind,
        },
      },
      this.traceParent(run),
    );
    const eventsSinceWrite = run.eventsSinceWrite;
    const itemFinished = run.itemFinished;
    run.eventsSinceWrite = 0;
    run.itemFinished = false;
    run.lastWriteAt = Date.now();
    try {
      const result = await this.store.putRun({ response, lastStreamId });
      run.lastWriteMs = Date.now() - run.lastWriteAt;
      // refused as stale: another worker stored a later state (we are about to learn we lost the run)
      run.storedId = result.stored ? lastStreamId : (result.lastStreamId ?? lastStreamId);
      span.setAttribute('cody.stored', result.stored);
      run.failures = 0;
      run.writes++;
      this.counters.writes++;
      return true;
    } catch (error) {
      run.eventsSinceWrite += eventsSinceWrite;
      run.itemFinished ||= itemFinished;
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      if (isPermanentStoreError(error)) {
        // the store lost the run's thread together with its stream (both in a Redis restarted
        // without persistence): the run still needs an end its readers see, not a silent drop
        if (run.phase === 'live' && (await this.streamWasLost(run).catch(() => false))) {
          this.track(this.endStreamLost(run));
          return true;
        }
        this.logger.error({ err: error, run_id: run.runId }, 'store refuses the run; dropping it');
        if (run.phase === 'live') {
          run.phase = 'finishing';
          run.stopReading();
          this.track(this.release(run));
        }
        return true;
      }
      run.failures++;
      this.logger.warn({ err: error, run_id: run.runId }, 'snapshot write failed; retrying');
      return false;
    } finally {
      span.end();
    }
  }

  /** Terminal: store the final snapshot, then ack and expire. */
  private async finish(run: RunProjection): Promise<void> {
    if (run.phase !== 'live') return;
    run.phase = 'finishing';
    run.stopReading();
    await run.writing;
    while (!(await this.write(run))) {
      if (this.stopped) return;
      await sleep(reconnectBackoff(run.failures), this.stopping.signal);
    }
    if (run.phase !== 'finishing') return;
    await this.release(run);
    const terminalAt = run.lastEvent?.timestamp;
    this.counters.finishedRuns++;
    this.logger.info(
      {
        run_id: run.runId,
        status: run.response?.status,
        writes: run.writes,
        lag_ms: terminalAt === undefined ? undefined : Date.now() - terminalAt,
        trace_id: trace.getSpanContext(this.traceParent(run))?.traceId,
      },
      'run persisted',
    );
  }

  /** Lets the run's keys expire, then acks (and deletes) the announce entry; the run is done here. */
  private async release(run: RunProjection): Promise<void> {
    const group = this.group as StreamConsumer;
    for (let attempt = 1; ; attempt++) {
      try {
        // expiry first: a crash between the two leaves the entry pending, and its next owner expires again
        await this.transport.expireRun(run.runId, this.settings.runTtlSeconds);
        await group.ackAndDelete([run.entryId]);
        break;
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error, run_id: run.runId }, 'ack of a finished run failed; retrying');
        await sleep(reconnectBackoff(attempt), this.stopping.signal);
      }
    }
    run.phase = 'done';
    if (this.runs.get(run.runId) === run) this.runs.delete(run.runId);
  }

  private tick(): Promise<void> {
    if (this.ticking || this.stopped || this.group === undefined) return this.ticking ?? Promise.resolve();
    this.ticking = this.maintain(this.group).finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async maintain(group: StreamConsumer): Promise<void> {
    try {
      await this.keepOwnership(group);
      await this.claimAbandoned(group);
      await this.watch();
      if (++this.ticks % 60 === 0) await group.removeIdleConsumers(CONSUMER_RETENTION_MS);
    } catch (error) {
      if (!this.stopped)
        this.logger.warn({ err: error }, 'persistence maintenance failed; retrying next tick');
    }
  }

  /** Resets the idle time of our announce entries; forgets runs another worker took over. */
  private async keepOwnership(group: StreamConsumer): Promise<void> {
    const owned = [...this.runs.values()].filter((run) => run.phase !== 'done');
    if (owned.length === 0) return;
    const { lost } = await group.keepAlive(owned.map((run) => run.entryId));
    if (lost.length === 0) return;
    const byEntry = new Map(owned.map((run) => [run.entryId, run]));
    for (const entryId of lost) {
      const run = byEntry.get(entryId);
      if (run === undefined || run.phase === 'done' || run.phase === 'finishing') continue;
      const owner = await group.ownerOf(entryId);
      // pending for nobody: Redis lost the group (keep the run), or its new owner already finished it
      const stored = owner === null ? await this.store.getRun(run.runId) : null;
      const finishedElsewhere = stored !== null && isTerminalStatus(stored.response.status);
      if ((owner !== null && owner !== this.consumer) || finishedElsewhere) {
        this.logger.info({ run_id: run.runId, owner }, 'run was taken over by another worker');
        run.phase = 'done';
        run.stopReading();
        this.runs.delete(run.runId);
      }
    }
  }

  private async claimAbandoned(group: StreamConsumer): Promise<void> {
    const { claimed, deleted } = await group.autoClaim(this.settings.claimIdleMs);
    if (deleted.length > 0) await group.ack(deleted);
    for (const entry of claimed) {
      if (!this.runs.has(entry.fields.run ?? '')) {
        this.counters.claimedEntries++;
        this.logger.info({ run_id: entry.fields.run, entry: entry.id }, 'claimed the run of a dead worker');
      }
      // a second entry for a run we own is acked there
      this.track(this.take(entry));
    }
  }

  /** The watchdog: ends runs whose driver is gone or whose stream Redis lost. */
  private async watch(): Promise<void> {
    const live = [...this.runs.values()].filter(
      (run) => run.phase === 'live' && run.response !== undefined && !run.terminal,
    );
    if (live.length === 0) {
      this.lastWatchAt = undefined;
      return;
    }
    const { redis, keys } = this.transport;
    // one pipeline (on a cluster one per slot: a run's keys share its slot)
    const commands = live.flatMap((run) => [
      { key: keys.runLease(run.runId), add: (p: ChainableCommander) => p.exists(keys.runLease(run.runId)) },
      {
        key: keys.runEvents(run.runId),
        add: (p: ChainableCommander) => p.xrange(keys.runEvents(run.runId), '-', '+', 'COUNT', 1),
      },
    ]);
    let replies: [Error | null, unknown][];
    try {
      replies = await execBySlot(redis, commands);
    } catch (error) {
      // Redis did not answer: what was seen missing before is no evidence against the owners
      for (const run of live) run.leaseMissingSince = undefined;
      this.lastWatchAt = undefined;
      throw error;
    }
    const now = performance.now();
    // a gap between looks (Redis was unreachable, or this loop stalled) breaks every observation
    const unbroken =
      this.lastWatchAt !== undefined && now - this.lastWatchAt <= 2 * this.settings.tickMs + 1000;
    this.lastWatchAt = now;
    for (const [index, run] of live.entries()) {
      const [leaseError, lease] = replies[index * 2] ?? [];
      const [rangeError, range] = replies[index * 2 + 1] ?? [];
      if (leaseError || rangeError || run.phase !== 'live') {
        run.leaseMissingSince = undefined;
        continue;
      }
      const first = (range as [string, string[]][])[0]?.[0];
      // a live stream is never trimmed: another first entry means Redis lost the one we read
      if (run.firstId !== undefined && first !== run.firstId) {
        this.track(this.endStreamLost(run));
      } else if (lease === 1) {
        run.leaseSeen = true;
        run.leaseMissingSince = undefined;
      } else if (run.hadLease || run.leaseSeen) {
        // judged on renewals seen: missing in every look for the grace period, Redis answering
        if (!unbroken || run.leaseMissingSince === undefined) run.leaseMissingSince = now;
        if (now - run.leaseMissingSince >= this.settings.ownerGraceMs) await this.endOwnerLost(run);
      }
    }
  }

  /** Publishes item_error + response_error RUN_OWNER_LOST, if the owner is still gone and nothing moved. */
  private async endOwnerLost(run: RunProjection): Promise<void> {
    const error: ErrorInfo = {
      code: ERROR_CODES.RUN_OWNER_LOST,
      message: 'the process driving this run stopped renewing its lease',
    };
    const span = tracer.startSpan(
      'cody.watchdog',
      { attributes: { 'cody.run_id': run.runId } },
      this.traceParent(run),
    );
    try {
      const events = closingEvents(run.runId, run.state, error, {
        context: trace.setSpan(this.traceParent(run), span),
      });
      const result = await this.transport.publishIfUnchanged(run.runId, events, {
        lastId: run.cursor,
        noLease: true,
      });
      span.setAttribute('cody.outcome', result.status);
      if (result.status === 'published') {
        this.counters.ownerLostRuns++;
        this.logger.warn({ run_id: run.runId }, 'run owner lost; run ended with RUN_OWNER_LOST');
      } else if (result.status === 'leased') {
        run.leaseSeen = true;
      }
      // 'moved': events arrived we have not reduced yet; look again next tick
    } finally {
      span.end();
    }
  }

  /**
   * Redis lost entries this worker already reduced (a restart without persistence): the run
   * cannot be trusted to continue. The stream gets the restored run (if it is empty) and the
   * closing events; the snapshot keeps everything reduced so far and ends RUN_STREAM_LOST.
   */
  private async endStreamLost(run: RunProjection): Promise<void> {
    if (run.phase !== 'live') return;
    run.phase = 'finishing';
    run.stopReading();
    if (await this.transport.isRunDeleted(run.runId).catch(() => false)) {
      // its thread was deleted and its keys with it: gone on purpose, nothing to restore
      await this.release(run);
      return;
    }
    const span = tracer.startSpan(
      'cody.stream_lost',
      { attributes: { 'cody.run_id': run.runId } },
      this.traceParent(run),
    );
    const context = trace.setSpan(this.traceParent(run), span);
    try {
      const error: ErrorInfo = {
        code: REDIS_ERROR_CODES.RUN_STREAM_LOST,
        message: 'Redis lost the events of this run (restarted without persistence); the run was ended',
      };
      const closing = closingEvents(run.runId, run.state, error, { context });
      await this.transport.publishIfUnchanged(run.runId, restoreEvents(run.state, { context }), {
        lastId: '0-0',
      });
      const published = await this.transport.publishIfUnchanged(run.runId, closing);
      const ids = published.status === 'published' ? published.ids : [];
      run.apply(closing.map((event, index) => ({ id: ids[index] ?? run.cursor, event })));
      this.counters.streamLostRuns++;
      this.logger.warn({ run_id: run.runId }, 'run stream lost; run ended with RUN_STREAM_LOST');
    } catch (error) {
      // Redis is failing again: the next tick sees the loss again and retries
      run.phase = 'live';
      throw error;
    } finally {
      span.end();
    }
    run.phase = 'live';
    await this.finish(run);
  }

  /** Whether the run's stream lost the entries this worker reduced (another first entry, or none). */
  private async streamWasLost(run: RunProjection): Promise<boolean> {
    if (run.firstId === undefined) return false;
    const [first] = await this.transport.readRange(run.runId, { count: 1 });
    return first?.id !== run.firstId;
  }

  private traceParent(run: RunProjection): Context {
    return extractTraceContext(run.lastEvent?.trace_context, ROOT_CONTEXT);
  }
}
