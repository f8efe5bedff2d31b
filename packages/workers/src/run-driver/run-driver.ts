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
  type LeaseKeeper,
  type Logger,
  type RedisTransport,
  silentLogger,
  sleep,
} from '@cody/redis';
import { reduceEventsToState } from '@cody/reducer';
import {
  CodyError,
  ERROR_CODES,
  type FunctionCallItem,
  type FunctionCallOutputItem,
  type MessageItem,
  type OutputItem,
} from '@cody/schema';
import { context } from '@opentelemetry/api';
import { closingEvents } from '../persistence/closing-events';
import { answerToolCall } from '../tool-worker/answer-tool-call';
import {
  CANCELLED_CALL_OUTPUT,
  cancelOpenItemEvents,
  failedCallOutputEvents,
  unansweredCalls,
} from './cancel-events';
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
}

interface ActiveRun {
  turnId: string;
  controller: AbortController;
  shutdown: boolean;
  done: Promise<void>;
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
      const run: ActiveRun = {
        turnId: input.turnId,
        controller: new AbortController(),
        shutdown: false,
        done: Promise.resolve(),
      };
      this.active.set(runId, run);
      // the loop outlives the submit request but stays in its trace
      run.done = context.with(context.active(), () => this.drive(input, userMessage, run, keeper, opened.id));
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

  private async drive(
    input: StartRunInput,
    userMessage: MessageItem,
    run: ActiveRun,
    keeper: LeaseKeeper,
    openedId: string,
  ): Promise<void> {
    const { transport } = this.options;
    const { runId } = input;
    const log = { run_id: runId };
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
    const publishedUpTo = async () => (await publisher.flush()) ?? openedId;
    const signal = AbortSignal.any([run.controller.signal, keeper.signal]);
    try {
      // a cancel that arrived before we listened is still honoured
      if (await transport.cancels.isRequested(runId)) run.controller.abort();
      const tools =
        typeof this.options.tools === 'function' ? await this.options.tools() : this.options.tools;
      const result = await runAgentLoop({
        provider: input.provider,
        model: input.model,
        responseId: runId,
        history: [...input.history, userMessage],
        tools,
        ...(input.reasoning ? { reasoning: input.reasoning } : {}),
        ...(this.options.instructions ? { instructions: this.options.instructions } : {}),
        maxSteps: this.options.maxSteps,
        signal,
        emit: (payload) => publisher.emit(payload),
        logger: this.logger,
        traceContent: this.options.traceContent ?? false,
        awaitToolOutputs: async (calls, callSignal) =>
          this.toolOutputs(runId, calls, await publishedUpTo(), callSignal),
      });
      await publisher.flush();
      if (result.status !== 'aborted' || keeper.signal.aborted) return;
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
      await keeper.stop();
      this.active.delete(runId);
    }
  }

  private async toolOutputs(
    runId: string,
    calls: FunctionCallItem[],
    afterId: string,
    signal: AbortSignal,
  ): Promise<FunctionCallOutputItem[]> {
    const { transport } = this.options;
    const outputs = await awaitToolOutputs({
      transport,
      runId,
      afterId,
      calls,
      signal,
      timeoutMs: this.options.toolOutputTimeoutMs ?? 10 * 60_000,
    });
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
