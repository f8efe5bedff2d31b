import OpenAI from 'openai';
import type { ResponseCreateParamsStreaming } from 'openai/resources/responses/responses';
import { AbortedError } from './aborted-error';
import { type Logger, silentLogger } from './logger';
import { createOpenAIStreamMapper } from './map-openai-stream';
import type { ModelProvider, ModelRequest, ProviderPart } from './model-provider';
import { readSseJson } from './read-sse-json';
import { toOpenAIInput } from './to-openai-input';
import { toOpenAITools } from './to-openai-tools';
import { toProviderError } from './to-provider-error';

export interface OpenAIProviderOptions {
  apiKey: string;
  /** Default https://api.openai.com/v1; any Responses-compatible server works. */
  baseURL?: string;
  /** SDK retries (with backoff) before the first byte; never once streaming began. Default 2. */
  maxRetries?: number;
  /** Per-request timeout in ms (SDK default 10 minutes). */
  timeoutMs?: number;
  organization?: string;
  project?: string;
  logger?: Logger;
}

/** The request body of one model call. */
export function buildOpenAIRequest(request: ModelRequest): ResponseCreateParamsStreaming {
  const params: ResponseCreateParamsStreaming = {
    model: request.model.apiModel,
    input: toOpenAIInput(request.history),
    stream: true,
    // stateless: history (with encrypted reasoning) is sent on every call
    store: false,
  };
  if (request.instructions) params.instructions = request.instructions;
  if (request.maxOutputTokens !== undefined) params.max_output_tokens = request.maxOutputTokens;
  if (request.tools && request.tools.length > 0 && request.model.tools) {
    params.tools = toOpenAITools(request.tools);
  }
  if (request.model.reasoning) {
    params.reasoning = {
      summary: 'auto',
      ...(request.reasoning?.effort ? { effort: request.reasoning.effort } : {}),
    };
    params.include = ['reasoning.encrypted_content'];
  }
  return params;
}

/** OpenAI Responses API, streaming, through the official SDK. */
export function createOpenAIProvider(options: OpenAIProviderOptions): ModelProvider {
  const logger = options.logger ?? silentLogger;
  const baseURL = options.baseURL ?? 'https://api.openai.com/v1';
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL,
    organization: options.organization ?? null,
    project: options.project ?? null,
    maxRetries: options.maxRetries ?? 2,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });

  return {
    id: 'openai',
    async *streamTurn(request: ModelRequest, signal?: AbortSignal): AsyncGenerator<ProviderPart> {
      const mapper = createOpenAIStreamMapper(logger);
      let response: Response;
      try {
        response = await client.responses
          .create(buildOpenAIRequest(request), signal ? { signal } : {})
          .asResponse();
      } catch (error) {
        throw toProviderError('openai', error, signal, baseURL);
      }
      // an error payload mid-stream fails the way the SDK's own iterator fails
      const streamError = (payload: { error: unknown }) =>
        new OpenAI.APIError(undefined, payload.error as object, undefined, response.headers);
      try {
        for await (const event of readSseJson(response, streamError)) yield* mapper.map(event);
      } catch (error) {
        throw toProviderError('openai', error, signal, baseURL);
      }
      // the SDK ends the iteration quietly on abort
      if (signal?.aborted) throw new AbortedError(signal.reason);
      yield* mapper.end();
    },
  };
}
