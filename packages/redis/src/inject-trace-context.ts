import type { TraceContext } from '@cody/schema';
import { type Context, context as otelContext, propagation, TraceFlags, trace } from '@opentelemetry/api';

/** The W3C "no trace" value, stamped when nothing is being traced. */
export const NULL_TRACEPARENT = '00-00000000000000000000000000000000-0000000000000000-00';

/**
 * The W3C trace context of `ctx` (the active context by default) for an event envelope.
 * Uses the registered propagator when there is one; otherwise formats the span context
 * itself, and with no span at all returns the null traceparent. Never throws.
 */
export function injectTraceContext(ctx: Context = otelContext.active()): TraceContext {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  const traceparent = carrier.traceparent;
  if (traceparent) {
    return carrier.tracestate ? { traceparent, tracestate: carrier.tracestate } : { traceparent };
  }
  const span = trace.getSpanContext(ctx);
  if (span === undefined || !trace.isSpanContextValid(span)) return { traceparent: NULL_TRACEPARENT };
  const flags = (span.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  const formatted = `00-${span.traceId}-${span.spanId}-${flags}`;
  const state = span.traceState?.serialize();
  return state ? { traceparent: formatted, tracestate: state } : { traceparent: formatted };
}
