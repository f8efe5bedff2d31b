import type { TraceContext } from '@cody/schema';
import { type Context, propagation, ROOT_CONTEXT, type TraceFlags, trace } from '@opentelemetry/api';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The context a consumer continues from an event's `trace_context`: spans started with it
 * as parent join the producer's trace. Works without a registered propagator (parses the
 * W3C traceparent itself); a null or malformed traceparent gives `base` unchanged.
 */
export function extractTraceContext(
  traceContext: TraceContext | undefined,
  base: Context = ROOT_CONTEXT,
): Context {
  if (traceContext === undefined) return base;
  const carrier: Record<string, string> = { traceparent: traceContext.traceparent };
  if (traceContext.tracestate) carrier.tracestate = traceContext.tracestate;
  const extracted = propagation.extract(base, carrier);
  if (trace.getSpanContext(extracted) !== undefined) return extracted;
  const match = TRACEPARENT.exec(traceContext.traceparent);
  if (match === null) return base;
  const spanContext = {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: Number.parseInt(match[3] as string, 16) as TraceFlags,
    isRemote: true,
  };
  return trace.isSpanContextValid(spanContext) ? trace.setSpanContext(base, spanContext) : base;
}
