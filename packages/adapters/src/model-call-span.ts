import type { FinishReason, Usage } from '@cody/schema';
import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';

export const TRACER_NAME = '@cody/adapters';

/** A GenAI semantic-convention span around one model call (a no-op without an OpenTelemetry SDK). */
export interface ModelCallSpan {
  started(response: { id?: string | undefined; model?: string | undefined }): void;
  finished(finishReason: FinishReason, usage: Usage | undefined): void;
  failed(code: string, error: unknown): void;
  end(): void;
}

export function startModelCallSpan(
  tracer: Tracer | undefined,
  call: { provider: string; model: string; step: number; responseId: string; maxTokens?: number | undefined },
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
    finished(finishReason, usage) {
      span.setAttribute('gen_ai.response.finish_reasons', [finishReason]);
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
