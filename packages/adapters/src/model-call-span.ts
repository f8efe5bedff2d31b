import type { FinishReason, OutputItem, Usage } from '@cody/schema';
import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { toGenAiMessages } from './gen-ai-messages';

export const TRACER_NAME = '@cody/adapters';

/** A GenAI semantic-convention span around one model call (a no-op without an OpenTelemetry SDK). */
export interface ModelCallSpan {
  started(response: { id?: string | undefined; model?: string | undefined }): void;
  /** `output`: the items the call produced, recorded when content tracing is on. */
  finished(finishReason: FinishReason, usage: Usage | undefined, output?: readonly OutputItem[]): void;
  failed(code: string, error: unknown): void;
  end(): void;
}

export function startModelCallSpan(
  tracer: Tracer | undefined,
  call: { provider: string; model: string; step: number; responseId: string; maxTokens?: number | undefined },
  /** Set with CODY_TRACE_CONTENT=on: what the model was sent (sensitive, so off by default). */
  content?: { input: readonly OutputItem[]; instructions?: string | undefined },
): ModelCallSpan {
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': call.provider,
    'gen_ai.provider.name': call.provider,
    'gen_ai.request.model': call.model,
    'cody.response_id': call.responseId,
    'cody.step': call.step,
  };
  if (call.maxTokens !== undefined) attributes['gen_ai.request.max_tokens'] = call.maxTokens;
  if (content) {
    // the conventions' JSON encoding where span attributes cannot hold structures
    attributes['gen_ai.input.messages'] = JSON.stringify(toGenAiMessages(content.input));
    if (content.instructions) {
      attributes['gen_ai.system_instructions'] = JSON.stringify([
        { type: 'text', content: content.instructions },
      ]);
    }
  }
  const span: Span = (tracer ?? trace.getTracer(TRACER_NAME)).startSpan(
    `chat ${call.model}`,
    { kind: SpanKind.CLIENT, attributes },
    context.active(),
  );
  return {
    started(response) {
      if (response.id) span.setAttribute('gen_ai.response.id', response.id);
      if (response.model) span.setAttribute('gen_ai.response.model', response.model);
    },
    finished(finishReason, usage, output) {
      span.setAttribute('gen_ai.response.finish_reasons', [finishReason]);
      if (content && output) {
        const parts = toGenAiMessages(output).flatMap((message) => message.parts);
        span.setAttribute(
          'gen_ai.output.messages',
          JSON.stringify([{ role: 'assistant', parts, finish_reason: finishReason }]),
        );
      }
      if (usage) {
        span.setAttribute('gen_ai.usage.input_tokens', usage.prompt_tokens);
        span.setAttribute('gen_ai.usage.output_tokens', usage.completion_tokens);
      }
    },
    failed(code, error) {
      span.setAttribute('error.type', code);
      if (error instanceof Error) span.recordException(error);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    },
    end: () => span.end(),
  };
}
