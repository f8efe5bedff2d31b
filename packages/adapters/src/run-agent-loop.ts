import { randomUUID } from 'node:crypto';
import {
  CodyError,
  ERROR_CODES,
  type ErrorInfo,
  type FinishReason,
  type FunctionCallItem,
  type FunctionCallOutputItem,
  type OutputItem,
  type StreamPayload,
  type Usage,
} from '@cody/schema';
import type { Tracer } from '@opentelemetry/api';
import { AbortedError } from './aborted-error';
import { addUsage } from './add-usage';
import { type Logger, silentLogger } from './logger';
import { startModelCallSpan } from './model-call-span';
import { DEFAULT_MODELS, type ModelInfo } from './model-catalogue';
import type { ModelProvider, ModelRequest, ProviderPart, ReasoningOptions } from './model-provider';
import { toProviderError } from './to-provider-error';
import type { ToolDeclaration } from './tool-declaration';

export const DEFAULT_MAX_STEPS = 20;

export interface RunAgentLoopOptions {
  provider: ModelProvider;
  /** A catalogue entry (see `resolveModel`), or an API model id looked up in the defaults. */
  model: ModelInfo | string;
  /** The run id: `response_id` of the payloads the loop emits. */
  responseId: string;
  /** Earlier turns plus this turn's user message. */
  history: readonly OutputItem[];
  tools?: readonly ToolDeclaration[];
  reasoning?: ReasoningOptions;
  instructions?: string;
  maxOutputTokens?: number;
  /**
   * Resuming a run another driver started (it handed the run over while calls waited for
   * approval): the calls of its last model call that still wait for outputs. Their outputs are
   * awaited before the first model call; `history` already holds the run's items so far.
   */
  pendingCalls?: readonly FunctionCallItem[];
  /** Usage of the run so far (resuming): the loop adds its own model calls to it. */
  usage?: Usage;
  /** Most model calls in the run (default 20). */
  maxSteps?: number;
  signal?: AbortSignal;
  /** Publishes one payload into the run's stream (the caller adds the envelope). */
  emit(payload: StreamPayload): Promise<void>;
  /** Hands calls to the tool worker and resolves with their outputs (already in the run's stream). */
  awaitToolOutputs(calls: FunctionCallItem[], signal: AbortSignal): Promise<FunctionCallOutputItem[]>;
  logger?: Logger;
  /** Default: the global tracer provider's `@cody/adapters` tracer. */
  tracer?: Tracer;
  /**
   * Model-call spans carry the input messages, reasoning, output and tool calls as the GenAI
   * conventions describe (CODY_TRACE_CONTENT=on). Sensitive: off by default.
   */
  traceContent?: boolean;
}

export interface AgentLoopResult {
  /** `aborted`: the signal fired and nothing more was emitted; the caller closes the run. */
  status: 'complete' | 'error' | 'aborted';
  finishReason: FinishReason | null;
  /** Summed over the run's model calls. */
  usage: Usage | undefined;
  error: ErrorInfo | undefined;
  /** Model calls made. */
  steps: number;
  /** The items of this run: the model's and the tool outputs it received. */
  items: OutputItem[];
}

type CallOutcome =
  | { kind: 'finished'; items: OutputItem[]; finishReason: FinishReason; usage: Usage | undefined }
  | { kind: 'failed'; error: CodyError }
  | { kind: 'aborted' };

function resolveLoopModel(model: ModelInfo | string, provider: ModelProvider, reasoning: boolean): ModelInfo {
  if (typeof model !== 'string') return model;
  const known = DEFAULT_MODELS.find(
    (m) => m.provider === provider.id && (m.apiModel === model || m.id === model),
  );
  return (
    known ?? {
      provider: provider.id,
      id: model,
      apiModel: model,
      reasoning,
      tools: true,
      maxOutputTokens: 16_384,
    }
  );
}

const toErrorInfo = (error: unknown, fallback: string): ErrorInfo =>
  CodyError.isInstance(error)
    ? error.toInfo()
    : { code: fallback, message: error instanceof Error ? error.message : String(error) };

/**
 * Drives one run: calls the model, streams its items as canonical payloads, hands tool calls
 * to `awaitToolOutputs`, and calls the model again with the outputs until it stops calling
 * tools. Ends with `response_done`, or `item_error` for open items then `response_error`.
 * At the step limit with calls still pending it ends with `response_error` STEP_LIMIT_REACHED
 * (the calls stay unanswered; history replays them as failed). On abort it stops the HTTP
 * request and returns `aborted` without emitting anything more.
 */
export async function runAgentLoop(options: RunAgentLoopOptions): Promise<AgentLoopResult> {
  const { provider, responseId, emit } = options;
  const logger = options.logger ?? silentLogger;
  const signal = options.signal ?? new AbortController().signal;
  const maxSteps = Math.max(1, Math.floor(options.maxSteps ?? DEFAULT_MAX_STEPS));
  const model = resolveLoopModel(options.model, provider, options.reasoning !== undefined);
  const history: OutputItem[] = [...options.history];
  const items: OutputItem[] = [];
  let usage: Usage | undefined = options.usage;
  let steps = 0;

  const result = (
    status: AgentLoopResult['status'],
    finishReason: FinishReason | null,
    error?: ErrorInfo,
  ) => ({
    status,
    finishReason,
    usage,
    error,
    steps,
    items,
  });
  const fail = async (error: ErrorInfo): Promise<AgentLoopResult> => {
    await emit({ type: 'response_error', response_id: responseId, error });
    return result('error', 'error', error);
  };

  let resumed = options.pendingCalls ?? [];
  while (true) {
    if (resumed.length > 0) {
      const calls = [...resumed];
      resumed = [];
      let outputs: FunctionCallOutputItem[];
      try {
        outputs = await options.awaitToolOutputs(calls, signal);
      } catch (error) {
        if (signal.aborted) return result('aborted', 'aborted');
        logger.error({ run_id: responseId, err: error }, 'waiting for tool outputs failed');
        return fail(toErrorInfo(error, ERROR_CODES.INTERNAL_ERROR));
      }
      if (signal.aborted) return result('aborted', 'aborted');
      items.push(...outputs);
      history.push(...outputs);
    }
    if (signal.aborted) return result('aborted', 'aborted');
    steps += 1;
    const request: ModelRequest = { model, history: [...history] };
    if (options.tools) request.tools = options.tools;
    if (options.reasoning) request.reasoning = options.reasoning;
    if (options.instructions) request.instructions = options.instructions;
    if (options.maxOutputTokens !== undefined) request.maxOutputTokens = options.maxOutputTokens;

    const outcome = await streamModelCall(provider, request, {
      responseId,
      step: steps,
      signal,
      emit,
      tracer: options.tracer,
      traceContent: options.traceContent ?? false,
    });
    if (outcome.kind === 'aborted' || signal.aborted) return result('aborted', 'aborted');
    if (outcome.kind === 'failed') {
      logger.warn(
        { run_id: responseId, step: steps, code: outcome.error.code, err: outcome.error },
        'model call failed',
      );
      return fail(outcome.error.toInfo());
    }

    items.push(...outcome.items);
    history.push(...outcome.items);
    usage = addUsage(usage, outcome.usage);
    if (outcome.usage && usage) await emit({ type: 'usage_update', response_id: responseId, usage });

    const calls = outcome.items.filter((item): item is FunctionCallItem => item.type === 'function_call');
    if (outcome.finishReason !== 'tool_calls' || calls.length === 0) {
      // a tool_use stop with only server-side tools has nothing for us to answer
      const finishReason = outcome.finishReason === 'tool_calls' ? 'stop' : outcome.finishReason;
      await emit({
        type: 'response_done',
        response_id: responseId,
        status: 'complete',
        finish_reason: finishReason,
        ...(usage ? { usage } : {}),
      });
      return result('complete', finishReason);
    }
    if (steps >= maxSteps) {
      const names = [...new Set(calls.map((call) => call.name))].join(', ');
      return fail({
        code: ERROR_CODES.STEP_LIMIT_REACHED,
        message: `Stopped after ${maxSteps} model call${maxSteps === 1 ? '' : 's'}: the model still wanted to call ${names}`,
        details: { maxSteps, pendingCalls: calls.map((call) => call.call_id) },
      });
    }

    let outputs: FunctionCallOutputItem[];
    try {
      outputs = await options.awaitToolOutputs(calls, signal);
    } catch (error) {
      if (signal.aborted) return result('aborted', 'aborted');
      logger.error({ run_id: responseId, err: error }, 'waiting for tool outputs failed');
      return fail(toErrorInfo(error, ERROR_CODES.INTERNAL_ERROR));
    }
    if (signal.aborted) return result('aborted', 'aborted');
    items.push(...outputs);
    history.push(...outputs);
  }
}

interface CallContext {
  responseId: string;
  step: number;
  signal: AbortSignal;
  emit(payload: StreamPayload): Promise<void>;
  tracer: Tracer | undefined;
  traceContent: boolean;
}

/** One model call: provider parts → canonical payloads with fresh item ids. */
async function streamModelCall(
  provider: ModelProvider,
  request: ModelRequest,
  ctx: CallContext,
): Promise<CallOutcome> {
  const { emit, signal } = ctx;
  const span = startModelCallSpan(
    ctx.tracer,
    {
      provider: provider.id,
      model: request.model.apiModel,
      step: ctx.step,
      responseId: ctx.responseId,
      maxTokens: request.maxOutputTokens,
    },
    ctx.traceContent ? { input: request.history, instructions: request.instructions } : undefined,
  );
  const open = new Map<string, string>();
  const produced: OutputItem[] = [];
  let finishReason: FinishReason | undefined;
  let usage: Usage | undefined;

  const startItem = async (part: ProviderPart & { type: 'item_start' }) => {
    const itemId = randomUUID();
    open.set(part.key, itemId);
    await emit({
      type: 'item_start',
      item_id: itemId,
      item_type: part.item_type,
      origin: 'agent',
      ...(part.name === undefined ? {} : { name: part.name }),
      ...(part.call_id === undefined ? {} : { call_id: part.call_id }),
    });
    return itemId;
  };

  const handle = async (part: ProviderPart) => {
    switch (part.type) {
      case 'call_start':
        span.started({ id: part.provider_response_id, model: part.model });
        break;
      case 'item_start':
        await startItem(part);
        break;
      case 'item_delta': {
        const itemId = open.get(part.key);
        if (itemId) await emit({ type: 'item_delta', item_id: itemId, delta_content: part.delta_content });
        break;
      }
      case 'item_done': {
        const final = part.final_item;
        const itemId =
          open.get(part.key) ??
          (await startItem({
            type: 'item_start',
            key: part.key,
            item_type: final.type,
            ...(final.type === 'function_call' ? { name: final.name, call_id: final.call_id } : {}),
          }));
        open.delete(part.key);
        const item = { ...final, id: itemId } as OutputItem;
        produced.push(item);
        await emit({ type: 'item_done', item_id: itemId, final_item: item });
        break;
      }
      case 'usage':
        usage = part.usage;
        break;
      case 'finish':
        finishReason = part.finish_reason;
        break;
    }
  };

  const iterator = provider.streamTurn(request, signal)[Symbol.asyncIterator]();
  let exhausted = false;
  let failure: unknown;
  try {
    while (!signal.aborted) {
      let next: IteratorResult<ProviderPart>;
      try {
        next = await iterator.next();
      } catch (error) {
        exhausted = true;
        failure = error;
        break;
      }
      if (next.done) {
        exhausted = true;
        break;
      }
      await handle(next.value);
    }
  } catch (error) {
    // only `emit` can throw here: the run cannot be published, so the caller must handle it
    span.failed(ERROR_CODES.INTERNAL_ERROR, error);
    span.end();
    throw error;
  } finally {
    // leaving early (abort, a failed emit) closes the stream, which aborts the HTTP request
    if (!exhausted) await iterator.return?.();
  }

  if (signal.aborted || failure instanceof AbortedError) {
    span.failed(ERROR_CODES.ABORTED, new AbortedError());
    span.end();
    return { kind: 'aborted' };
  }
  if (failure === undefined && finishReason === undefined) {
    failure = toProviderError(provider.id, new Error('the stream ended without a finish reason'));
  }
  if (failure !== undefined) {
    const error = toProviderError(provider.id, failure, signal);
    span.failed(error.code, error);
    span.end();
    for (const itemId of open.values()) {
      await emit({
        type: 'item_error',
        item_id: itemId,
        error: { code: error.code, message: error.message },
      });
    }
    return { kind: 'failed', error };
  }
  span.finished(finishReason as FinishReason, usage, produced);
  span.end();
  return { kind: 'finished', items: produced, finishReason: finishReason as FinishReason, usage };
}
