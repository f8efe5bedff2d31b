import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsStreaming } from '@anthropic-ai/sdk/resources/messages/messages';
import { AbortedError } from './aborted-error';
import { type Logger, silentLogger } from './logger';
import { createAnthropicStreamMapper } from './map-anthropic-stream';
import type { ModelInfo } from './model-catalogue';
import type { ModelProvider, ModelRequest, ProviderPart, ReasoningEffort } from './model-provider';
import { readSseJson } from './read-sse-json';
import { canContinueWithThinking, toAnthropicMessages } from './to-anthropic-messages';
import { toAnthropicTools } from './to-anthropic-tools';
import { toProviderError } from './to-provider-error';

export interface AnthropicProviderOptions {
  apiKey: string;
  /** Default https://api.anthropic.com (the SDK adds `/v1/messages`). */
  baseURL?: string;
  /** SDK retries (with backoff) before the first byte; never once streaming began. Default 2. */
  maxRetries?: number;
  timeoutMs?: number;
  logger?: Logger;
}

/** `max_tokens` when the request gives none: the API requires one. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 16_000;

const THINKING_BUDGETS: Record<ReasoningEffort, number> = {
  minimal: 1024,
  low: 2048,
  medium: 6000,
  high: 12_000,
};

/** The request body of one model call; always carries `max_tokens`. */
export function buildAnthropicRequest(request: ModelRequest): MessageCreateParamsStreaming {
  const { system, messages } = toAnthropicMessages(request.history);
  const maxTokens =
    request.maxOutputTokens ?? Math.min(request.model.maxOutputTokens, DEFAULT_ANTHROPIC_MAX_TOKENS);
  const params: MessageCreateParamsStreaming = {
    model: request.model.apiModel,
    max_tokens: maxTokens,
    messages,
    stream: true,
  };
  const systemText = [request.instructions, ...system].filter(Boolean).join('\n\n');
  if (systemText) params.system = systemText;
  if (request.tools && request.tools.length > 0 && request.model.tools) {
    params.tools = toAnthropicTools(request.tools);
  }
  if (request.reasoning && request.model.reasoning && canContinueWithThinking(messages)) {
    const thinking = thinkingConfig(request.model, request.reasoning.effort, maxTokens);
    if (thinking) params.thinking = thinking;
  }
  return params;
}

function thinkingConfig(
  model: ModelInfo,
  effort: ReasoningEffort | undefined,
  maxTokens: number,
): MessageCreateParamsStreaming['thinking'] {
  if (model.thinking === 'adaptive') return { type: 'adaptive' };
  // the budget must stay under max_tokens and at least 1024
  const budget = Math.min(THINKING_BUDGETS[effort ?? 'medium'], maxTokens - 1024);
  return budget >= 1024 ? { type: 'enabled', budget_tokens: budget } : undefined;
}

/** Anthropic Messages API, streaming, through the official SDK. */
export function createAnthropicProvider(options: AnthropicProviderOptions): ModelProvider {
  const logger = options.logger ?? silentLogger;
  const baseURL = options.baseURL ?? 'https://api.anthropic.com';
  const client = new Anthropic({
    apiKey: options.apiKey,
    authToken: null,
    baseURL,
    maxRetries: options.maxRetries ?? 2,
    // the agent loop makes the GenAI span of each call; the SDK's would double it
    openTelemetry: { traces: false },
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });

  return {
    id: 'anthropic',
    async *streamTurn(request: ModelRequest, signal?: AbortSignal): AsyncGenerator<ProviderPart> {
      const mapper = createAnthropicStreamMapper(logger);
      let response: Response;
      try {
        response = await client.messages
          .create(buildAnthropicRequest(request), signal ? { signal } : {})
          .asResponse();
      } catch (error) {
        throw toProviderError('anthropic', error, signal, baseURL);
      }
      // an `error` event fails the way the SDK's own iterator fails (pings reach the mapper, which skips them)
      const streamError = (payload: { error: unknown }) =>
        new Anthropic.APIError(undefined, payload, undefined, response.headers);
      try {
        for await (const event of readSseJson(response, streamError)) yield* mapper.map(event);
      } catch (error) {
        throw toProviderError('anthropic', error, signal, baseURL);
      }
      // the SDK ends the iteration quietly on abort
      if (signal?.aborted) throw new AbortedError(signal.reason);
      yield* mapper.end();
    },
  };
}
