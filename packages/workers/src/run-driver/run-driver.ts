import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type ModelInfo,
  type ModelProvider,
  type ReasoningOptions,
  runAgentLoop,
  type ToolDeclaration,
} from '@cody/adapters';
import {
  createStreamEvent,
  HANDOVER_OWNER,
  type LeaseKeeper,
  type Logger,
  type RedisTransport,
  silentLogger,
  sleep,
} from '@cody/redis';
import { reduceEventsToState } from '@cody/reducer';
import {
  type ApprovalMode,
  CodyError,
  ERROR_CODES,
  type FunctionCallItem,
  type FunctionCallOutputItem,
  type MessageItem,
  type OutputItem,
  type Response,
} from '@cody/schema';
import { context } from '@opentelemetry/api';
import { closingEvents } from '../persistence/closing-events';
import { answerToolCall } from '../tool-worker/answer-tool-call';
import { deniedCallOutput, needsApproval } from './approval-policy';
import {
  CANCELLED_CALL_OUTPUT,
  cancelOpenItemEvents,
  failedCallOutputEvents,
  unansweredCalls,
} from './cancel-events';
import { type HandoverRecord, parseHandoverRecord } from './handover-record';
import { awaitToolOutputs } from './tool-output-waiter';

export interface RunDriverOptions {
  transport: RedisTransport;
  /**
   * Tools declared to the model; the tool workers execute them. A function is asked at the start
   * of every run (MCP tools come and go with their servers: see `readMcpCatalogue`).
   */
  tools: readonly ToolDeclaration[] | (() => Promise<readonly ToolDeclaration[]>);
  maxSteps?: number;
  instructions?: string;
  /** How long a model turn waits for the tool workers before answering a call as failed. */
  toolOutputTimeoutMs?: number;
  logger?: Logger;
  /** Model-call spans carry the messages, reasoning and output (CODY_TRACE_CONTENT=on; sensitive). */
  traceContent?: boolean;
  /** This process's id in run leases; default host:pid:uuid. */
  owner?: string;
  /**
   * How long one event may wait for Redis (its connection queues commands while Redis is away
   * and sends them in order when it is back) before the run is ended `error` /
   * REDIS_UNAVAILABLE; default 30 000 ms. The model call waits meanwhile: nothing is dropped.
   */
  redisOutageMs?: number;
  /** How long a call waits for the person's approval before it is denied; default 600 000 ms. */
  approvalTimeoutMs?: number;
  /** Approval policy of a run submitted without one (`CODY_TOOL_APPROVAL`); default `auto`. */
  defaultApproval?: ApprovalMode;
  /**
   * Tools known to be read-only (`ask-mutating` does not ask for them), asked at the start of
   * every run; default readFile, listDir, grep. MCP tools count only when their server marks them.
   */
  readOnlyTools?: () => Promise<ReadonlySet<string>>;
  /**
   * What a process needs to continue a run another process handed over (its provider, model and
   * the thread's earlier items); without it this driver adopts no runs.
   */
  resumeRun?: (record: HandoverRecord, response: Response) => Promise<ResumeRunInput>;
  /** How often this driver looks for handed-over runs to adopt; default 1000 ms. */
  adoptIntervalMs?: number;
}

export interface ResumeRunInput {
  provider: ModelProvider;
  model: ModelInfo;
  /** The thread's earlier items (previous turns), oldest first; not this run's own. */
  history: readonly OutputItem[];
}

export interface StartRunInput {
  runId: string;
  turnId: string;
  threadId: string;
  agentId?: string;
  provider: ModelProvider;
  model: ModelInfo;
  prompt: string;
  /** The thread's earlier items (previous turns), oldest first. */
  history: readonly OutputItem[];
  reasoning?: ReasoningOptions;
  /** The run this one replaces (retry, regenerate, edit); recorded on its response_start. */
  replacesRunId?: string;
  /** When the person is asked before a tool call runs; default the driver's `defaultApproval`. */
  approval?: ApprovalMode;
}

interface ActiveRun {
  turnId: string;
  controller: AbortController;
  shutdown: boolean;
  /** Every open call waits for the person: on stop the run is handed over, not ended. */
  waitingForApproval: boolean;
  /** Set by stop() for a run it hands over instead of ending. */
  handover: boolean;
  record: HandoverRecord;
  /** Latest approval deadline of the calls waiting (the hand-over lease outlives it). */
  approvalDeadline: number;
  done: Promise<void>;
}

/** Where the loop starts: a new run, or one adopted while its calls waited for approval. */
interface DriveInput {
  runId: string;
  provider: ModelProvider;
  model: ModelInfo;
  history: OutputItem[];
  reasoning?: ReasoningOptions;
  approval: ApprovalMode;
  afterId: string;
  pendingCalls?: FunctionCallItem[];
  usage?: Response['usage'];
}

export type CancelOutcome = 'signalled' | 'closed' | 'not_active';

/**
 * Drives runs in this process: holds each run's lease, opens it (response_start and the
 * user's message), announces it to the workers, runs the agent loop with the tool workers
 * answering calls through Redis, and closes it when it is cancelled or the process stops.
 */
export class RunDriver {
  readonly owner: string;
  private readonly active = new Map<string, ActiveRun>();
  private readonly logger: Logger;
  private readonly stopListening: () => void;
  private stopping = false;
  private adopting = false;
  private adoptTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RunDriverOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.logger = options.logger ?? silentLogger;
    this.stopListening = options.transport.cancels.onCancel((runId) =>
      this.active.get(runId)?.controller.abort(),
    );
  }

  get activeRuns(): number {
    return this.active.size;
  }

  private newActiveRun(record: HandoverRecord): ActiveRun {
    return {
      turnId: record.turnId,
      controller: new AbortController(),
      shutdown: false,
      waitingForApproval: false,
      handover: false,
      record,
      approvalDeadline: 0,
      done: Promise.resolve(),
    };
  }

  /**
   * Looks for runs a stopping process handed over (their calls wait for approval) now and every
   * `adoptIntervalMs`, and continues them here. Needs `resumeRun`.
   */
  startAdopting(): void {
    if (!this.options.resumeRun || this.adoptTimer || this.stopping) return;
    this.adoptTimer = setInterval(() => void this.adoptHandedOver(), this.options.adoptIntervalMs ?? 1000);
    this.adoptTimer.unref();
    void this.adoptHandedOver();
  }

  /** Adopts every handed-over run it can; resolves with the ids adopted. */
  async adoptHandedOver(): Promise<string[]> {
    const resume = this.options.resumeRun;
    if (!resume || this.adopting || this.stopping) return [];
    this.adopting = true;
    const adopted: string[] = [];
    try {
      for (const runId of await this.options.transport.leases.handedOver()) {
        if (this.stopping) break;
        if (await this.adopt(runId, resume).catch((error: unknown) => this.adoptFailed(runId, error)))
          adopted.push(runId);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'looking for handed-over runs failed; retrying');
    } finally {
      this.adopting = false;
    }
    return adopted;
  }

  private adoptFailed(runId: string, error: unknown): false {
    this.logger.error({ run_id: runId, err: error }, 'adopting a handed-over run failed');
    return false;
  }

  private async adopt(runId: string, resume: NonNullable<RunDriverOptions['resumeRun']>): Promise<boolean> {
    const { transport } = this.options;
    const raw = await transport.leases.adopt(runId, this.owner);
    if (raw === null) return false;
    const keeper = transport.keepLease(runId, this.owner);
    try {
      const record = parseHandoverRecord(raw);
      const entries = await transport.readRange(runId);
      const first = entries[0];
      if (first) keeper.anchorStream(first.id);
      const state = reduceEventsToState(entries.map((entry) => entry.event));
      const response = state?.response;
      if (response?.status !== 'in_progress') {
        await keeper.stop();
        return false;
      }
      const { provider, model, history } = await resume(record, response);
      const run = this.newActiveRun(record);
      this.active.set(runId, run);
      const drive: DriveInput = {
        runId,
        provider,
        model,
        history: [...history, ...response.output_items],
        approval: record.approval,
        afterId: '0-0',
        pendingCalls: unansweredCalls(state),
        ...(record.reasoning ? { reasoning: record.reasoning } : {}),
        ...(response.usage ? { usage: response.usage } : {}),
      };
      this.logger.info({ run_id: runId }, 'adopted a handed-over run');
      run.done = this.drive(drive, run, keeper);
      return true;
    } catch (error) {
      // the run is ours now: it ends as an error rather than waiting for nobody
      await this.closeWithError(runId, {
        code: CodyError.isInstance(error) ? error.code : ERROR_CODES.INTERNAL_ERROR,
        message: `could not continue the run after its server stopped: ${error instanceof Error ? error.message : String(error)}`,
      }).catch(() => {});
      await keeper.stop();
      throw error;
    }
  }

  /** Opens the run and starts its agent loop; resolves once the run's stream exists. */
  async start(input: StartRunInput): Promise<void> {
    if (this.stopping) throw new CodyError('SERVER_SHUTTING_DOWN', 'the server is shutting down');
    const { transport } = this.options;
    const { runId } = input;
    if ((await transport.redis.exists(transport.keys.runEvents(runId))) === 1) {
      throw new CodyError('RUN_ALREADY_EXISTS', `run ${runId} already exists`);
    }
    if (!(await transport.leases.acquire(runId, this.owner))) {
      throw new CodyError('RUN_ALREADY_EXISTS', `run ${runId} is already being driven`);
    }
    const keeper = transport.keepLease(runId, this.owner);
    // deleting the thread finds the run here, also before its first snapshot is stored
    await transport.trackThreadRun(input.threadId, runId);
    const userMessage: MessageItem = {
      id: randomUUID(),
      type: 'message',
      origin: 'user',
      content: input.prompt,
    };
    try {
      const started = await transport.emit(runId, {
        type: 'response_start',
        response_id: runId,
        turn_id: input.turnId,
        thread_id: input.threadId,
        ...(input.agentId ? { agent_id: input.agentId } : {}),
        model_id: input.model.id,
        provider_id: input.provider.id,
        created_at: Date.now(),
        ...(input.replacesRunId ? { replaces_run_id: input.replacesRunId } : {}),
      });
      keeper.anchorStream(started.id);
      await transport.emit(runId, {
        type: 'item_start',
        item_id: userMessage.id,
        item_type: 'message',
        origin: 'user',
      });
      const opened = await transport.emit(runId, {
        type: 'item_done',
        item_id: userMessage.id,
        final_item: userMessage,
      });
      await transport.announceRun(runId);
      const approval = input.approval ?? this.options.defaultApproval ?? 'auto';
      const run = this.newActiveRun({
        runId,
        turnId: input.turnId,
        threadId: input.threadId,
        providerId: input.provider.id,
        modelId: input.model.id,
        approval,
        ...(input.agentId ? { agentId: input.agentId } : {}),
        ...(input.reasoning ? { reasoning: input.reasoning } : {}),
      });
      this.active.set(runId, run);
      const drive: DriveInput = {
        runId,
        provider: input.provider,
        model: input.model,
        history: [...input.history, userMessage],
        approval,
        afterId: opened.id,
        ...(input.reasoning ? { reasoning: input.reasoning } : {}),
      };
      // the loop outlives the submit request but stays in its trace
      run.done = context.with(context.active(), () => this.drive(drive, run, keeper));
    } catch (error) {
      await keeper.stop();
      throw error;
    }
  }

  /**
   * Stops a run from any process: signals its driver through Redis; when nobody drives it any
   * more, closes it here. Resolves with what was done.
   */
  async cancel(runId: string, reason = 'cancelled by the user'): Promise<CancelOutcome> {
    const { transport } = this.options;
    const entries = await transport.readRange(runId);
    const state = reduceEventsToState(entries.map((entry) => entry.event));
    const response = state?.response;
    if (response?.status !== 'in_progress') return 'not_active';
    await transport.cancels.request(runId);
    if (!this.active.has(runId) && (await transport.leases.owner(runId)) === HANDOVER_OWNER) {
      // handed over and not adopted yet: nobody would hear the signal, so close it here
      if ((await transport.leases.adopt(runId, this.owner)) !== null) {
        try {
          await this.forceClose(runId, reason);
        } finally {
          await transport.leases.release(runId, this.owner);
        }
        return 'closed';
      }
    }
    if (this.active.has(runId) || (await transport.leases.isAlive(runId))) return 'signalled';
    // nobody holds the lease: close it here, unless someone published meanwhile
    const last = entries.at(-1)?.id ?? '0-0';
    const items = cancelOpenItemEvents(runId, state, reason);
    const closed = await transport.publishIfUnchanged(runId, items, { lastId: last, noLease: true });
    if (closed.status !== 'published') return 'signalled';
    await this.answerFailed(runId, unansweredCalls(state), CANCELLED_CALL_OUTPUT);
    await transport.publish(
      createStreamEvent(runId, { type: 'turn_aborted_by_user', turn_id: response.turn_id, reason }),
    );
    return 'closed';
  }

  /**
   * Makes a run of a deleted thread gone: cancels it if it is live (its driver, here or in any
   * process, ends it `aborted`, so open SSE streams end with that terminal event), gives readers
   * `drainMs` to read it, then deletes its Redis keys, leaving a marker that keeps it deleted.
   * A driver that does not end it within `closeTimeoutMs` is not waited for: the run is closed
   * here the same way.
   */
  async discard(
    runId: string,
    options: { reason?: string; closeTimeoutMs?: number; drainMs?: number; markerTtlSeconds?: number } = {},
  ): Promise<void> {
    const { transport } = this.options;
    const reason = options.reason ?? 'the thread was deleted';
    const outcome = await this.cancel(runId, reason);
    if (outcome === 'signalled') {
      const deadline = performance.now() + (options.closeTimeoutMs ?? 10_000);
      while (!(await this.isClosed(runId)) && performance.now() < deadline) await sleep(25);
      if (!(await this.isClosed(runId))) await this.forceClose(runId, reason);
    }
    if (outcome !== 'not_active') await sleep(options.drainMs ?? 1000);
    await transport.deleteRun(runId, options.markerTtlSeconds);
  }

  private async isClosed(runId: string): Promise<boolean> {
    const last = await this.options.transport.lastEntry(runId);
    const type = last?.event?.type;
    return (
      type === undefined ||
      type === 'response_done' ||
      type === 'response_error' ||
      type === 'turn_aborted_by_user'
    );
  }

  private async forceClose(runId: string, reason: string): Promise<void> {
    const { transport } = this.options;
    const state = reduceEventsToState((await transport.readRange(runId)).map((entry) => entry.event));
    const response = state?.response;
    if (response?.status !== 'in_progress') return;
    for (const event of cancelOpenItemEvents(runId, state, reason)) await transport.publish(event);
    await this.answerFailed(runId, unansweredCalls(state), CANCELLED_CALL_OUTPUT);
    await transport.publish(
      createStreamEvent(runId, { type: 'turn_aborted_by_user', turn_id: response.turn_id, reason }),
    );
  }

  /** Stops taking runs; gives running ones `drainMs` to finish, then ends them as errors. */
  async stop(options: { drainMs?: number } = {}): Promise<void> {
    this.stopping = true;
    this.stopListening();
    if (this.adoptTimer) clearInterval(this.adoptTimer);
    // runs waiting only for a person's decision are handed over at once: another process continues them
    for (const run of this.active.values()) {
      if (run.waitingForApproval && this.options.resumeRun) {
        run.handover = true;
        run.controller.abort();
      }
    }
    const pending = [...this.active.values()].map((run) => run.done);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(pending),
      new Promise((resolve) => {
        timer = setTimeout(resolve, options.drainMs ?? 5000);
      }),
    ]);
    clearTimeout(timer);
    for (const run of this.active.values()) {
      run.shutdown = true;
      run.controller.abort();
    }
    await Promise.allSettled([...this.active.values()].map((run) => run.done));
  }

  private async drive(input: DriveInput, run: ActiveRun, keeper: LeaseKeeper): Promise<void> {
    const { transport } = this.options;
    const { runId } = input;
    const log = { run_id: runId };
    let handedOver = false;
    // events go to Redis in batches; the loop never waits for Redis per event
    const publisher = transport.runPublisher(runId, {
      stallMs: this.options.redisOutageMs ?? 30_000,
      onStall: (stallMs) =>
        new CodyError(
          ERROR_CODES.REDIS_UNAVAILABLE,
          `Redis was unreachable for more than ${stallMs} ms while this run streamed; it was ended`,
        ),
    });
    // the tool workers answer after the call's item_done: wait for it to be in the stream
    const publishedUpTo = async () => (await publisher.flush()) ?? input.afterId;
    const signal = AbortSignal.any([run.controller.signal, keeper.signal]);
    try {
      // a cancel that arrived before we listened is still honoured
      if (await transport.cancels.isRequested(runId)) run.controller.abort();
      const tools =
        typeof this.options.tools === 'function' ? await this.options.tools() : this.options.tools;
      const readOnly =
        input.approval === 'ask-mutating' && this.options.readOnlyTools
          ? await this.options.readOnlyTools()
          : undefined;
      const result = await runAgentLoop({
        provider: input.provider,
        model: input.model,
        responseId: runId,
        history: input.history,
        ...(input.pendingCalls && input.pendingCalls.length > 0 ? { pendingCalls: input.pendingCalls } : {}),
        ...(input.usage ? { usage: input.usage } : {}),
        tools,
        ...(input.reasoning ? { reasoning: input.reasoning } : {}),
        ...(this.options.instructions ? { instructions: this.options.instructions } : {}),
        maxSteps: this.options.maxSteps,
        signal,
        emit: (payload) => publisher.emit(payload),
        logger: this.logger,
        traceContent: this.options.traceContent ?? false,
        awaitToolOutputs: async (calls, callSignal) =>
          this.toolOutputs(runId, calls, await publishedUpTo(), callSignal, run, input.approval, readOnly),
      });
      await publisher.flush();
      if (result.status !== 'aborted' || keeper.signal.aborted) return;
      if (run.handover) {
        handedOver = await this.handOver(runId, run);
        if (handedOver) return;
        run.shutdown = true;
      }
      await this.closeStopped(runId, run);
    } catch (error) {
      this.logger.error({ ...log, err: error }, 'run driver failed');
      // what was queued before the failure goes first (a failed publisher has nothing left)
      await publisher.flush().catch(() => {});
      if (keeper.signal.aborted) return;
      await this.closeWithError(runId, {
        code: CodyError.isInstance(error) ? error.code : ERROR_CODES.INTERNAL_ERROR,
        message: error instanceof Error ? error.message : String(error),
      }).catch((closeError: unknown) =>
        this.logger.error({ ...log, err: closeError }, 'could not close the run'),
      );
    } finally {
      await keeper.stop({ release: !handedOver });
      this.active.delete(runId);
    }
  }

  /** Leaves a run waiting for approval to another process: true when the lease was handed over. */
  private async handOver(runId: string, run: ActiveRun): Promise<boolean> {
    const { transport } = this.options;
    // the hand-over outlives the approval deadline, so the adopter still applies the timeout
    const ttlMs = Math.max(run.approvalDeadline - Date.now(), 0) + 60_000;
    try {
      const ok = await transport.leases.handOver(runId, this.owner, JSON.stringify(run.record), ttlMs);
      if (ok) this.logger.info({ run_id: runId }, 'run waits for approval: handed over to the next server');
      return ok;
    } catch (error) {
      this.logger.error({ run_id: runId, err: error }, 'handing the run over failed');
      return false;
    }
  }

  private async toolOutputs(
    runId: string,
    calls: FunctionCallItem[],
    afterId: string,
    signal: AbortSignal,
    run: ActiveRun,
    mode: ApprovalMode,
    readOnly: ReadonlySet<string> | undefined,
  ): Promise<FunctionCallOutputItem[]> {
    const { transport } = this.options;
    const approvalTimeoutMs = this.options.approvalTimeoutMs ?? 600_000;
    const outputs = await awaitToolOutputs({
      transport,
      runId,
      afterId,
      calls,
      signal,
      timeoutMs: this.options.toolOutputTimeoutMs ?? 10 * 60_000,
      ...(mode === 'auto'
        ? {}
        : {
            approvals: {
              needs: (call: FunctionCallItem) => needsApproval(mode, call.name, readOnly),
              timeoutMs: approvalTimeoutMs,
              deny: (call: FunctionCallItem, decision: { reason?: string; decided_by?: string }) =>
                this.answerFailed(runId, [call], deniedCallOutput(decision.reason, decision.decided_by)),
              onWaiting: (waiting: boolean) => {
                run.waitingForApproval = waiting;
                if (waiting)
                  run.approvalDeadline = Math.max(run.approvalDeadline, Date.now() + approvalTimeoutMs);
              },
            },
          }),
    });
    run.waitingForApproval = false;
    if (signal.aborted) return calls.flatMap((call) => outputs.get(call.call_id) ?? []);
    const missing = calls.filter((call) => !outputs.has(call.call_id));
    if (missing.length > 0) {
      // no tool worker answered in time: answer as failed, unless a worker got there first
      await this.answerFailed(runId, missing, 'no tool worker answered this call in time');
      for (const entry of await transport.readRange(runId, { after: afterId })) {
        const item = entry.event?.payload?.type === 'item_done' ? entry.event.payload.final_item : undefined;
        if (item?.type === 'function_call_output' && !outputs.has(item.call_id))
          outputs.set(item.call_id, item);
      }
    }
    return calls.flatMap((call) => outputs.get(call.call_id) ?? []);
  }

  /** Answers calls as failed, each atomically with marking it done: a tool worker's answer wins. */
  private async answerFailed(
    runId: string,
    calls: readonly FunctionCallItem[],
    output: string,
  ): Promise<void> {
    const { transport } = this.options;
    for (const call of calls) {
      const events = failedCallOutputEvents(runId, call, output, randomUUID());
      await answerToolCall(transport.redis, transport.keys, runId, call.call_id, events);
    }
  }

  private async closeStopped(runId: string, run: ActiveRun): Promise<void> {
    const { transport } = this.options;
    const state = reduceEventsToState((await transport.readRange(runId)).map((entry) => entry.event));
    if (run.shutdown) {
      for (const event of closingEvents(runId, state, {
        code: 'SERVER_SHUTDOWN',
        message: 'the server driving this run shut down before it finished',
      })) {
        await transport.publish(event);
      }
      return;
    }
    const reason = 'cancelled by the user';
    for (const event of cancelOpenItemEvents(runId, state, reason)) await transport.publish(event);
    await this.answerFailed(runId, unansweredCalls(state), CANCELLED_CALL_OUTPUT);
    await transport.publish(
      createStreamEvent(runId, { type: 'turn_aborted_by_user', turn_id: run.turnId, reason }),
    );
  }

  private async closeWithError(runId: string, error: { code: string; message: string }): Promise<void> {
    const { transport } = this.options;
    const state = reduceEventsToState((await transport.readRange(runId)).map((entry) => entry.event));
    if (state?.response && state.response.status !== 'in_progress') return;
    for (const event of closingEvents(runId, state, error)) await transport.publish(event);
  }
}
