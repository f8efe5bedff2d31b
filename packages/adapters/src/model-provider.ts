import type {
  FinishReason,
  FunctionCallItem,
  MessageItem,
  OutputItem,
  ReasoningItem,
  Usage,
} from '@cody/schema';
import type { ModelInfo } from './model-catalogue';
import type { ToolDeclaration } from './tool-declaration';

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

export interface ReasoningOptions {
  /** Provider default when absent. Anthropic: picks the thinking budget. */
  effort?: ReasoningEffort;
}

/** One model call. */
export interface ModelRequest {
  model: ModelInfo;
  /** The conversation so far: earlier turns, this turn's user message, this run's earlier steps. */
  history: readonly OutputItem[];
  tools?: readonly ToolDeclaration[];
  /**
   * Ask for reasoning. OpenAI reasoning models always reason (summaries and encrypted content
   * are requested either way, so tool loops keep their reasoning); Anthropic thinks only when set.
   */
  reasoning?: ReasoningOptions;
  /** System prompt. */
  instructions?: string;
  /** Default: the catalogue's `maxOutputTokens` (capped for Anthropic, which always sends one). */
  maxOutputTokens?: number;
}

/** An item as a provider produced it; the agent loop gives it its id. */
export type ProviderItem = Omit<MessageItem, 'id'> | Omit<ReasoningItem, 'id'> | Omit<FunctionCallItem, 'id'>;

/**
 * What an adapter yields for one model call: canonical payloads keyed by a call-local `key`
 * instead of an item id, plus the call's usage and normalised finish reason.
 */
export type ProviderPart =
  | { type: 'call_start'; provider_response_id?: string; model?: string }
  | { type: 'item_start'; key: string; item_type: ProviderItem['type']; name?: string; call_id?: string }
  | { type: 'item_delta'; key: string; delta_content: string }
  | { type: 'item_done'; key: string; final_item: ProviderItem }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; finish_reason: FinishReason; provider_reason?: string };

export interface ModelProvider {
  readonly id: string;
  /**
   * Streams one model call. Ends after a `finish` part; throws a `ProviderError` (typed code,
   * `isRetryable`) on HTTP errors, error events and lost connections, and an `AbortedError`
   * when `signal` fires (the HTTP request is aborted).
   */
  streamTurn(request: ModelRequest, signal?: AbortSignal): AsyncIterable<ProviderPart>;
}
