import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { McpHub } from '@cody/mcp';
import {
  extractTraceContext,
  type GroupEntry,
  type Logger,
  type RedisTransport,
  reconnectBackoff,
  type StreamConsumer,
  silentLogger,
  sleep,
  TOOL_WORKER_GROUP,
} from '@cody/redis';
import type { McpServerStatus, McpToolInfo, StreamEvent, StreamPayload } from '@cody/schema';
import {
  commandEnv,
  type ExecSandbox,
  type ExecSandboxSettings,
  executeTool,
  parseToolArguments,
  prepareExecSandbox,
  resolveToolLimits,
  sandboxUnavailableMessage,
  TOOL_ERROR_CODES,
  type ToolLimits,
  type ToolResult,
  truncateOutput,
} from '@cody/tools';
import {
  type Context,
  context as otelContext,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { answerToolCall, isToolCallAnswered, startScriptExecution } from './answer-tool-call';
import { recordCallStart } from './call-start-record';
import type { McpToolWorkerConfig } from './load-tool-worker-config';
import { publishMcpCatalogue } from './mcp-catalogue';
import { ProcessReaper } from './process-reaper';
import { INTERRUPTED_MESSAGE, reclaimPolicy } from './reclaim-policy';
import {
  functionCallOutputPayloads,
  scriptExecutionPayloads,
  scriptOutputPayloads,
} from './tool-output-payloads';
import { parseToolRequest, type ToolRequest } from './tool-request';

export interface ToolWorkerOptions {
  transport: RedisTransport;
  /** Root the tools may touch (`CODY_WORKSPACE`). */
  workspaceRoot: string;
  /** Tool timeouts and caps (see `loadToolConfig` in @cody/tools). */
  limits?: Partial<ToolLimits>;
  /** Environment of exec'd commands; default: PATH, LANG and TERM of this process (`commandEnv`). */
  env?: NodeJS.ProcessEnv;
  /** How exec confines commands; default bubblewrap without network. Probed once at start. */
  sandbox?: Partial<ExecSandboxSettings>;
  /** Calls run at once; default 4. */
  concurrency?: number;
  /** Deliveries of one request before it is answered as failed instead of retried; default 3. */
  maxAttempts?: number;
  /** A request pending this long belongs to a dead worker and is claimed; default 5000 ms. */
  claimIdleMs?: number;
  /** Period of keep-alive and claiming; default 1000 ms. */
  tickMs?: number;
  /** On stop, how long running calls may finish before they are stopped and left for another worker; default 10 s. */
  stopGraceMs?: number;
  /** Consumer name in the group; unique per process. Default `<host>:<pid>:<random>`. */
  consumer?: string;
  /** MCP servers whose tools this worker also executes (`CODY_MCP_CONFIG`, see loadToolWorkerConfig). */
  mcp?: McpToolWorkerConfig;
  logger?: Logger;
  /** Tool spans carry the call's arguments and result (CODY_TRACE_CONTENT=on; sensitive). */
  traceContent?: boolean;
}

export interface ToolWorkerStats {
  running: number;
  queued: number;
  /** Calls answered by this worker (success or failure). */
  answered: number;
  /** Requests whose call was already answered when this worker got them (a retry after a crash). */
  alreadyAnswered: number;
  /** Requests taken over from dead consumers. */
  claimed: number;
  /** Calls answered as failed because they were attempted `maxAttempts` times. */
  exhausted: number;
  /** Reclaimed calls with side effects that had started: answered TOOL_INTERRUPTED, not rerun. */
  interrupted: number;
}

const DEFAULTS = { concurrency: 4, maxAttempts: 3, claimIdleMs: 5000, tickMs: 1000, stopGraceMs: 10_000 };
// the MCP catalogue in Redis is rewritten this often (ticks) besides on every change
const MCP_REFRESH_TICKS = 10;
// dead consumers (no pending entries, silent this long) are removed from the group
const CONSUMER_RETENTION_MS = 3600_000;
const tracer = trace.getTracer('@cody/workers');

/** Why a job's controller was aborted. */
const RUN_CANCELLED = 'the run was cancelled';
const WORKER_STOPPING = Symbol('worker stopping');

interface Job {
  entry: GroupEntry;
  deliveries: number;
  controller: AbortController;
  runId?: string;
  started: boolean;
}

/**
 * Executes tool calls. Reads `<prefix>tools:requests` through group `codex-tool-workers`,
 * runs up to `concurrency` calls at once with the real tools in the workspace, and writes each
 * answer into the run's stream — `function_call_output`, preceded for `runScript` by
 * `script_execution` and `script_execution_output` — marking the call done in the same Lua
 * script, so no call is answered twice. Acks (and deletes) a request only after its answer is
 * in the stream. Keeps its pending requests alive while they run; claims those of dead workers
 * (XAUTOCLAIM): a call recorded as started before is run again only if its tool has no side
 * effects (`reclaimPolicy`), otherwise answered TOOL_INTERRUPTED; after `maxAttempts`
 * deliveries it is answered failed. A run's cancel kills its running tools; the commands of a
 * worker that dies are killed by its `ProcessReaper`. Each execution is a span continuing the request's trace.
 */
export class ToolWorker {
  readonly consumer: string;
  private readonly transport: RedisTransport;
  private readonly logger: Logger;
  private readonly settings: typeof DEFAULTS;
  private readonly workspaceRoot: string;
  private readonly limits: Partial<ToolLimits> | undefined;
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly mcp: McpHub | undefined;
  private mcpPublishing: Promise<void> = Promise.resolve();
  private unsubscribeMcp: (() => void) | undefined;
  private readonly sandboxSettings: Partial<ExecSandboxSettings>;
  private sandbox: ExecSandbox | undefined;
  private readonly traceContent: boolean;
  private readonly held = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private readonly byRun = new Map<string, Set<Job>>();
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();
  private group: StreamConsumer | undefined;
  private readLoop: Promise<void> | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private ticking = false;
  private ticks = 0;
  private running = 0;
  private slotFreed: (() => void) | undefined;
  private unsubscribeCancel: (() => void) | undefined;
  private started = false;
  private readonly counters = { answered: 0, alreadyAnswered: 0, claimed: 0, exhausted: 0, interrupted: 0 };
  private readonly reaper = new ProcessReaper();

  constructor(options: ToolWorkerOptions) {
    this.transport = options.transport;
    this.logger = options.logger ?? silentLogger;
    this.workspaceRoot = options.workspaceRoot;
    this.limits = options.limits;
    this.env = options.env;
    this.mcp = options.mcp
      ? new McpHub({
          config: options.mcp.config,
          // stdio servers: exec's environment and sandbox
          ...(options.env ? { baseEnv: options.env } : {}),
          sandbox: options.sandbox ?? {},
          cwd: options.workspaceRoot,
          logger: this.logger,
        })
      : undefined;
    this.sandboxSettings = options.sandbox ?? {};
    this.traceContent = options.traceContent ?? false;
    this.consumer = options.consumer ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.settings = {
      concurrency: options.concurrency ?? DEFAULTS.concurrency,
      maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
      claimIdleMs: options.claimIdleMs ?? DEFAULTS.claimIdleMs,
      tickMs: options.tickMs ?? DEFAULTS.tickMs,
      stopGraceMs: options.stopGraceMs ?? DEFAULTS.stopGraceMs,
    };
  }

  /** Joins the group and starts serving requests; resolves once the group exists. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.sandbox = await prepareExecSandbox(this.sandboxSettings);
    this.logSandbox(this.sandbox);
    if (this.stopped) return; // stopped while probing: nothing was opened yet
    this.reaper.start();
    this.unsubscribeCancel = this.transport.cancels.onCancel((runId) => this.cancelRun(runId));
    // every shard of the tool-request stream (one on a single node), one blocking connection each
    this.group = this.transport.streamConsumer({
      streams: this.transport.keys.toolRequestStreams,
      group: TOOL_WORKER_GROUP,
      consumer: this.consumer,
      role: 'tool-worker',
    });
    await this.group.ensure('0');
    if (this.mcp) {
      this.unsubscribeMcp = this.mcp.onChange(() => this.publishMcp());
      // the first attempt of every server, so the first runs already see their tools
      await this.mcp.start();
      // stopped while the servers were connecting: nothing left to start
      if (this.stopped) return;
      this.publishMcp();
      await this.mcpPublishing;
    }
    this.readLoop = this.readRequests(this.group);
    this.tickTimer = setInterval(() => void this.tick(), this.settings.tickMs);
    // claim what dead workers left at once, not a tick later
    void this.tick();
    this.logger.info(
      { consumer: this.consumer, concurrency: this.settings.concurrency },
      'tool worker started',
    );
  }

  /**
   * Stops taking requests, lets running calls finish for `stopGraceMs`, then stops the rest
   * without answering: their requests stay pending and another worker claims and retries
   * them. Queued requests are left the same way. Closes only what it opened.
   */
  async stop(): Promise<void> {
    if (!this.started || this.stopping.signal.aborted) return;
    this.stopping.abort();
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.unsubscribeCancel?.();
    this.slotFreed?.();
    // dropping the blocking connections ends the XREADGROUPs the read loop waits on
    this.group?.disconnect();
    await this.readLoop;
    this.queue.length = 0;
    const grace = sleep(this.settings.stopGraceMs).then(() => {
      for (const job of this.held.values()) job.controller.abort(WORKER_STOPPING);
    });
    await Promise.race([Promise.allSettled([...this.tasks]), grace]);
    for (const job of this.held.values()) job.controller.abort(WORKER_STOPPING);
    await Promise.allSettled([...this.tasks]);
    this.held.clear();
    if (this.mcp) {
      await this.mcp.stop();
      this.unsubscribeMcp?.();
      this.publishMcp();
      await this.mcpPublishing;
    }
    await this.reaper.stop();
    await this.group?.close();
    this.logger.info({ consumer: this.consumer }, 'tool worker stopped');
  }

  /** What this worker knows of its MCP servers (empty without `CODY_MCP_CONFIG`). */
  mcpStatus(): McpServerStatus[] {
    return this.mcp?.status() ?? [];
  }

  /**
   * The MCP tool behind a name, with `readOnly` (its server's `readOnlyHint`): approval and
   * at-most-once policies treat every other MCP tool as having side effects.
   */
  mcpTool(name: string): McpToolInfo | undefined {
    return this.mcp?.tool(name);
  }

  /** Rewrites the MCP catalogue in Redis, one write at a time so an older status never lands last. */
  private publishMcp(): void {
    if (!this.mcp) return;
    const hub = this.mcp;
    this.mcpPublishing = this.mcpPublishing
      .then(() => publishMcpCatalogue(this.transport, hub.status()))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'publishing the MCP catalogue failed'));
  }

  /** The sandbox exec runs commands in (known once started). */
  execSandbox(): ExecSandbox | undefined {
    return this.sandbox;
  }

  private logSandbox(sandbox: ExecSandbox): void {
    if (sandbox.kind === 'bwrap') {
      this.logger.info(
        { sandbox: 'bubblewrap', version: sandbox.version, network: sandbox.network },
        `exec sandbox: bubblewrap ${sandbox.version}, network ${sandbox.network ? 'on' : 'off'}`,
      );
    } else if (sandbox.kind === 'off') {
      this.logger.warn(
        { sandbox: 'off' },
        'CODY_EXEC_SANDBOX=off: exec runs commands UNCONFINED, with every right and file of the user running Cody',
      );
    } else {
      this.logger.error(
        { sandbox: 'unavailable', reason: sandbox.reason, code: TOOL_ERROR_CODES.SANDBOX_UNAVAILABLE },
        `${sandboxUnavailableMessage(sandbox.reason)} Every exec call fails until then.`,
      );
    }
  }

  stats(): ToolWorkerStats {
    return { running: this.running, queued: this.queue.length, ...this.counters };
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async readRequests(group: StreamConsumer): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const capacity = this.settings.concurrency - this.held.size;
      if (capacity <= 0) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        });
        this.slotFreed = undefined;
        continue;
      }
      let entries: GroupEntry[];
      try {
        entries = await group.read({ count: capacity, blockMs: 2000, signal: this.stopping.signal });
        failures = 0;
      } catch (error) {
        if (this.stopped) return;
        failures++;
        this.logger.warn({ err: error }, 'reading tool requests failed; retrying');
        await sleep(reconnectBackoff(failures), this.stopping.signal);
        continue;
      }
      for (const entry of entries) this.enqueue(entry, 1);
    }
  }

  private enqueue(entry: GroupEntry, deliveries: number): void {
    if (this.held.has(entry.id)) return;
    const job: Job = { entry, deliveries, controller: new AbortController(), started: false };
    this.held.set(entry.id, job);
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.settings.concurrency && this.queue.length > 0) {
      const job = this.queue.shift() as Job;
      job.started = true;
      this.running++;
      this.track(
        this.process(job)
          .catch((error: unknown) => {
            // left pending: it is claimed again after claimIdleMs and retried
            this.logger.error({ err: error, entry: job.entry.id }, 'tool request failed; it will be retried');
          })
          .finally(() => {
            this.running--;
            this.held.delete(job.entry.id);
            if (job.runId) this.forgetRunJob(job.runId, job);
            this.pump();
            this.slotFreed?.();
          }),
      );
    }
  }

  private track<T>(task: Promise<T>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  /** Keeps held requests alive, claims dead workers' requests, now and then drops dead consumers. */
  private async tick(): Promise<void> {
    if (this.ticking || this.stopped || !this.group) return;
    this.ticking = true;
    const group = this.group;
    try {
      const ids = [...this.held.keys()];
      if (ids.length > 0) {
        const { lost } = await group.keepAlive(ids);
        for (const id of lost) {
          const job = this.held.get(id);
          // another worker took it while we were slow: let it run it unless we already do
          if (job && !job.started) {
            this.held.delete(id);
            this.queue.splice(this.queue.indexOf(job), 1);
            this.slotFreed?.();
          }
        }
      }
      // pub/sub drops messages while reconnecting: the durable flag catches a missed cancel
      for (const runId of [...this.byRun.keys()]) {
        if (await this.transport.cancels.isRequested(runId)) this.cancelRun(runId);
      }
      if (this.held.size < this.settings.concurrency) {
        const { claimed } = await group.autoClaim(this.settings.claimIdleMs, {
          count: this.settings.concurrency,
        });
        for (const entry of claimed) {
          if (this.held.has(entry.id)) continue;
          const [pending] = await group.pending({ start: entry.id, end: entry.id, count: 1 });
          this.counters.claimed++;
          this.logger.info(
            { entry: entry.id, deliveries: pending?.deliveries },
            'claimed a tool request from a dead worker',
          );
          this.enqueue(entry, pending?.deliveries ?? 2);
        }
      }
      if (++this.ticks % MCP_REFRESH_TICKS === 0) this.publishMcp();
      if (this.ticks % 60 === 0) await group.removeIdleConsumers(CONSUMER_RETENTION_MS);
    } catch (error) {
      if (!this.stopped)
        this.logger.warn({ err: error }, 'tool worker keep-alive/claim failed; retrying next tick');
    } finally {
      this.ticking = false;
    }
  }

  private cancelRun(runId: string): void {
    for (const job of this.byRun.get(runId) ?? []) job.controller.abort(RUN_CANCELLED);
  }

  private forgetRunJob(runId: string, job: Job): void {
    const jobs = this.byRun.get(runId);
    jobs?.delete(job);
    if (jobs?.size === 0) this.byRun.delete(runId);
  }

  private async ack(job: Job): Promise<void> {
    await (this.group as StreamConsumer).ackAndDelete([job.entry.id]);
  }

  private async process(job: Job): Promise<void> {
    const parsed = parseToolRequest(job.entry.fields);
    if (!parsed.ok) {
      // nothing to answer without a valid run and call id; it would fail the same way again
      this.logger.error({ err: parsed.error, entry: job.entry.id }, 'dropping a malformed tool request');
      await this.ack(job);
      return;
    }
    const request = parsed.request;
    job.runId = request.runId;
    const jobs = this.byRun.get(request.runId) ?? new Set<Job>();
    this.byRun.set(request.runId, jobs);
    jobs.add(job);

    const parent = extractTraceContext(request.trace);
    const span = tracer.startSpan(
      `execute_tool ${request.name}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': request.name,
          'gen_ai.tool.call.id': request.callId,
          'cody.run_id': request.runId,
          'cody.tool.attempt': job.deliveries,
          'messaging.system': 'redis',
          'messaging.destination.name': this.transport.keys.toolRequestStream(request.runId),
          'messaging.message.id': job.entry.id,
          ...(this.traceContent ? { 'gen_ai.tool.call.arguments': request.arguments } : {}),
        },
      },
      parent,
    );
    const traced = trace.setSpan(parent, span);
    try {
      await otelContext.with(traced, () => this.execute(job, request, traced, span));
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  }

  private async execute(job: Job, request: ToolRequest, traced: Context, span: Span): Promise<void> {
    const { redis, keys, cancels } = this.transport;
    const log = {
      run_id: request.runId,
      call_id: request.callId,
      tool: request.name,
      trace_id: span.spanContext().traceId,
    };
    const event = (payload: StreamPayload): StreamEvent =>
      this.transport.createEvent(request.runId, payload, { context: traced }) as StreamEvent;
    const correlationId = request.itemId;

    const answer = async (result: Pick<ToolResult, 'success' | 'output'>, before: StreamPayload[] = []) => {
      const payloads = [
        ...before,
        ...functionCallOutputPayloads({
          itemId: randomUUID(),
          callId: request.callId,
          output: result.output,
          success: result.success,
          correlationId,
        }),
      ];
      const outcome = await answerToolCall(redis, keys, request.runId, request.callId, payloads.map(event));
      span.setAttribute('cody.tool.outcome', outcome.status);
      if (this.traceContent) span.setAttribute('gen_ai.tool.call.result', result.output);
      if (outcome.status === 'published') this.counters.answered++;
      else this.counters.alreadyAnswered++;
      if (outcome.status === 'gone')
        this.logger.warn(log, 'the run stream is gone; the tool answer was dropped');
    };

    if (job.deliveries > this.settings.maxAttempts) {
      this.counters.exhausted++;
      this.logger.error(
        { ...log, deliveries: job.deliveries },
        'tool call attempted too often; answering it as failed',
      );
      await answer({
        success: false,
        output: `${TOOL_ERROR_CODES.TOOL_ERROR}: ${request.name} was attempted ${plural(job.deliveries - 1, 'time')} and the worker running it stopped each time without answering (crashed or killed); it was not retried again`,
      });
      await this.ack(job);
      return;
    }
    if (await isToolCallAnswered(redis, keys, request.runId, request.callId)) {
      // answered before the previous worker could ack: nothing to redo
      this.counters.alreadyAnswered++;
      await this.ack(job);
      return;
    }
    if (job.controller.signal.aborted || (await cancels.isRequested(request.runId))) {
      await answer({ success: false, output: `${request.name} was cancelled: ${RUN_CANCELLED}` });
      await this.ack(job);
      return;
    }

    // at most once: the start is on record before anything runs
    const start = await recordCallStart(redis, keys, request.runId, request.callId, {
      consumer: this.consumer,
      attempt: job.deliveries,
    });
    if (start.status === 'answered' || start.status === 'gone') {
      this.counters.alreadyAnswered++;
      await this.ack(job);
      return;
    }
    const interrupted =
      start.status === 'started_before' &&
      reclaimPolicy(request.name, this.mcp?.tool(request.name)) === 'interrupt';
    if (start.status === 'started_before') {
      span.setAttribute('cody.tool.reclaimed_started', true);
      this.logger.warn(
        { ...log, previous: start.previous, action: interrupted ? 'interrupt' : 'rerun' },
        'reclaimed a tool call that had started',
      );
    }

    let scriptId: string | undefined;
    if (request.name === 'runScript') {
      const parsed = parseToolArguments(request.name, request.arguments);
      if (parsed.ok) {
        const { code } = parsed.input as { code: string };
        const id = randomUUID();
        const started = await startScriptExecution(
          redis,
          keys,
          request.runId,
          request.callId,
          id,
          scriptExecutionPayloads({ scriptId: id, code, callId: request.callId, correlationId }).map(event),
        );
        if (started.status === 'answered' || started.status === 'gone') {
          this.counters.alreadyAnswered++;
          await this.ack(job);
          return;
        }
        scriptId = started.scriptId;
      }
    }

    if (interrupted) {
      this.counters.interrupted++;
      const message = `${request.name}: ${INTERRUPTED_MESSAGE}`;
      const error = { code: TOOL_ERROR_CODES.TOOL_INTERRUPTED, message };
      const before = scriptId
        ? scriptOutputPayloads({
            itemId: randomUUID(),
            scriptId,
            result: { success: false, result: '', logs: [], error },
            correlationId,
          })
        : [];
      span.setAttribute('error.type', TOOL_ERROR_CODES.TOOL_INTERRUPTED);
      await answer({ success: false, output: `${TOOL_ERROR_CODES.TOOL_INTERRUPTED}: ${message}` }, before);
      await this.ack(job);
      return;
    }

    this.logger.debug({ ...log, attempt: job.deliveries }, 'executing tool call');
    const result = this.mcp?.owns(request.name)
      ? await this.callMcp(request, job.controller.signal)
      : await executeTool(request.name, request.arguments, {
          workspaceRoot: this.workspaceRoot,
          signal: job.controller.signal,
          ...(this.limits ? { limits: this.limits } : {}),
          // marked, so the reaper can kill what is left of them if this process dies
          env: this.reaper.markEnv(this.env ?? commandEnv()),
          ...(this.sandbox ? { sandbox: this.sandbox } : {}),
        });
    if (job.controller.signal.reason === WORKER_STOPPING) {
      // not answered, not acked: another worker claims the request and runs it again
      this.logger.info(log, 'worker stopping: tool call left for another worker');
      return;
    }
    span.setAttribute('cody.tool.success', result.success);
    if (!result.success) {
      span.setAttribute('error.type', result.error?.code ?? TOOL_ERROR_CODES.TOOL_ERROR);
      this.logger.info({ ...log, code: result.error?.code }, 'tool call failed');
    }
    const before =
      scriptId && result.script
        ? scriptOutputPayloads({ itemId: randomUUID(), scriptId, result: result.script, correlationId })
        : [];
    await answer(result, before);
    await this.ack(job);
  }

  /** An MCP tool: the same timeout (CODY_TOOL_TIMEOUT_MS), cancel and output cap as a built-in tool. */
  private async callMcp(request: ToolRequest, signal: AbortSignal): Promise<ToolResult> {
    const limits = resolveToolLimits(this.limits);
    const result = await (this.mcp as McpHub).callTool(request.name, request.arguments, {
      signal,
      timeoutMs: limits.toolTimeoutMs,
    });
    return { ...result, output: truncateOutput(result.output, limits.maxOutputBytes) };
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Creates a tool worker and starts it. */
export async function startToolWorker(options: ToolWorkerOptions): Promise<ToolWorker> {
  const worker = new ToolWorker(options);
  await worker.start();
  return worker;
}
