import { randomUUID } from 'node:crypto';
import { reduceEvents } from '@cody/reducer';
import {
  type FunctionCallItem,
  type FunctionCallOutputItem,
  type OutputItem,
  type Response,
  ResponseSchema,
  type StreamEvent,
  type StreamPayload,
} from '@cody/schema';
import type { TestLlm } from '@cody/test-llm';
import { expect } from 'vitest';
import {
  type AgentLoopResult,
  createProvider,
  type ModelInfo,
  type ModelProvider,
  type ReasoningOptions,
  type RunAgentLoopOptions,
  runAgentLoop,
  type ToolDeclaration,
} from '../../src/index';

/** Provider configured through the environment variables, pointed at the test LLM. */
export function providerFor(llm: TestLlm, id: 'openai' | 'anthropic', maxRetries = 0): ModelProvider {
  const env = {
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: llm.openaiBaseUrl,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    ANTHROPIC_BASE_URL: llm.anthropicBaseUrl,
  };
  return createProvider(id, env, { maxRetries });
}

export const marker = () => `[case ${randomUUID().slice(0, 8)}]`;

export const userMessage = (content: string): OutputItem => ({
  id: randomUUID(),
  type: 'message',
  origin: 'user',
  content,
});

export type ToolFn = (
  call: FunctionCallItem,
  signal: AbortSignal,
) => Promise<{ output: string; success: boolean }>;

export interface TurnOptions {
  provider: ModelProvider;
  model: ModelInfo | string;
  prompt: string;
  /** Items of earlier turns. */
  history?: OutputItem[];
  tools?: ToolDeclaration[];
  reasoning?: ReasoningOptions;
  maxSteps?: number;
  signal?: AbortSignal;
  /** Runs each tool call (the tool worker's part in the real system). */
  tool?: ToolFn;
  /** Sees each payload the loop emits, in order. */
  onEmit?: (payload: StreamPayload) => void;
  extra?: Partial<RunAgentLoopOptions>;
}

export interface TurnResult {
  result: AgentLoopResult;
  /** Payloads the loop itself emitted. */
  loopPayloads: StreamPayload[];
  /** The run's whole stream, as the caller and tool worker would publish it. */
  events: StreamEvent[];
  response: Response;
  toolCalls: FunctionCallItem[][];
}

const echoTool: ToolFn = async (call) => ({
  output: `ran ${call.name} with ${call.arguments}`,
  success: true,
});

/**
 * Plays the caller's part around runAgentLoop: publishes response_start and the user's
 * message, answers awaitToolOutputs by running `tool` and publishing its outputs the way the
 * tool worker does, closes an aborted run, and reduces the stream with @cody/reducer.
 */
export async function runTurn(options: TurnOptions): Promise<TurnResult> {
  const runId = randomUUID();
  const events: StreamEvent[] = [];
  const loopPayloads: StreamPayload[] = [];
  const toolCalls: FunctionCallItem[][] = [];
  const publish = (payload: StreamPayload) => {
    events.push({
      event_id: randomUUID(),
      timestamp: Date.now(),
      trace_context: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      run_id: runId,
      type: payload.type,
      payload,
    } as StreamEvent);
  };
  const turnId = randomUUID();
  const user = userMessage(options.prompt);
  publish({
    type: 'response_start',
    response_id: runId,
    turn_id: turnId,
    thread_id: randomUUID(),
    model_id: typeof options.model === 'string' ? options.model : options.model.id,
    provider_id: options.provider.id,
    created_at: Date.now(),
  });
  publish({ type: 'item_start', item_id: user.id, item_type: 'message', origin: 'user' });
  publish({ type: 'item_done', item_id: user.id, final_item: user });

  const tool = options.tool ?? echoTool;
  const result = await runAgentLoop({
    provider: options.provider,
    model: options.model,
    responseId: runId,
    history: [...(options.history ?? []), user],
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.reasoning ? { reasoning: options.reasoning } : {}),
    ...(options.maxSteps ? { maxSteps: options.maxSteps } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    emit: async (payload) => {
      loopPayloads.push(payload);
      publish(payload);
      options.onEmit?.(payload);
    },
    awaitToolOutputs: async (calls, signal) => {
      toolCalls.push(calls);
      const outputs: FunctionCallOutputItem[] = [];
      for (const call of calls) {
        const { output, success } = await tool(call, signal);
        const item: FunctionCallOutputItem = {
          id: randomUUID(),
          type: 'function_call_output',
          origin: 'tool_harness',
          call_id: call.call_id,
          output,
          success,
        };
        publish({
          type: 'item_start',
          item_id: item.id,
          item_type: 'function_call_output',
          origin: 'tool_harness',
          call_id: call.call_id,
        });
        publish({ type: 'item_done', item_id: item.id, final_item: item });
        outputs.push(item);
      }
      return outputs;
    },
    ...options.extra,
  });
  if (result.status === 'aborted') {
    // the caller's part: close what the loop left open, then end the run as aborted
    const open = new Set<string>();
    for (const event of events) {
      if (event.payload.type === 'item_start') open.add(event.payload.item_id);
      else if (event.payload.type !== 'item_delta' && 'item_id' in event.payload)
        open.delete(event.payload.item_id);
    }
    for (const itemId of open) publish({ type: 'item_cancelled', item_id: itemId, reason: 'aborted' });
    publish({ type: 'turn_aborted_by_user', turn_id: turnId, reason: 'cancelled by the test' });
  }

  expectWellFormed(events);
  const response = ResponseSchema.parse(reduceEvents(events));
  return { result, loopPayloads, events, response, toolCalls };
}

/** start before deltas, done after them, nothing after done, the terminal event last. */
export function expectWellFormed(events: readonly StreamEvent[]) {
  expect(events[0]?.type).toBe('response_start');
  const state = new Map<string, 'open' | 'closed'>();
  events.forEach((event, index) => {
    const payload = event.payload;
    if (payload.type === 'item_start') {
      expect(state.has(payload.item_id), `item ${payload.item_id} started twice`).toBe(false);
      state.set(payload.item_id, 'open');
    } else if ('item_id' in payload) {
      expect(state.get(payload.item_id), `${payload.type} for an item that is not open (#${index})`).toBe(
        'open',
      );
      if (payload.type !== 'item_delta') state.set(payload.item_id, 'closed');
    }
    const terminal = ['response_done', 'response_error', 'turn_aborted_by_user'].includes(payload.type);
    if (terminal) expect(index, `${payload.type} must be the last event`).toBe(events.length - 1);
  });
  const last = events.at(-1)?.type;
  expect(['response_done', 'response_error', 'turn_aborted_by_user']).toContain(last);
  for (const [id, status] of state) expect(status, `item ${id} left open`).toBe('closed');
}

export const agentText = (response: Response) =>
  response.output_items
    .filter((item) => item.type === 'message' && item.origin === 'agent')
    .map((item) => (item.type === 'message' ? item.content : ''))
    .join('');

export const itemsOf = <T extends OutputItem['type']>(response: Response, type: T) =>
  response.output_items.filter((item): item is Extract<OutputItem, { type: T }> => item.type === type);
