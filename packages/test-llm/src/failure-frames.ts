import type { ProviderKind } from './provider-kind';
import { type SseFrame, sseFrame } from './sse-frame';
import { wireIds } from './wire-ids';

/**
 * How each provider fails a stream that already started: Anthropic sends `event: error` and
 * closes; OpenAI sends `response.failed` whose `response.error` says why.
 */
export function failureFrames(
  provider: ProviderKind,
  options: {
    type?: string | undefined;
    message?: string | undefined;
    sequence: number;
    model?: string | undefined;
  },
): SseFrame[] {
  if (provider === 'anthropic') {
    const error = {
      details: null,
      type: options.type ?? 'overloaded_error',
      message: options.message ?? 'Overloaded',
    };
    return [sseFrame('error', { type: 'error', error })];
  }
  const error = {
    code: options.type ?? 'server_error',
    message: options.message ?? 'The server had an error while processing your request. Sorry about that!',
  };
  return [
    sseFrame('response.failed', {
      type: 'response.failed',
      sequence_number: options.sequence,
      response: {
        id: wireIds.openaiResponse(),
        object: 'response',
        created_at: Math.floor(Date.now() / 1000),
        status: 'failed',
        error,
        incomplete_details: null,
        model: options.model ?? 'unknown',
        output: [],
        usage: null,
      },
    }),
  ];
}
