import { randomUUID } from 'node:crypto';
import type { StreamEvent, StreamPayload } from '@cody/schema';
import type { Context } from '@opentelemetry/api';
import { injectTraceContext, NULL_TRACEPARENT } from './inject-trace-context';

export interface CreateStreamEventOptions {
  /** Trace context to stamp; the active OpenTelemetry context by default. */
  context?: Context;
  /** Epoch ms; now by default. */
  timestamp?: number;
  /** A fixed event id (a retried publish keeps its id so the reducer drops the copy). */
  eventId?: string;
}

/** Wraps a payload in the StreamEvent envelope: uuid, timestamp, run id, type and trace context. */
export function createStreamEvent<P extends StreamPayload>(
  runId: string,
  payload: P,
  options: CreateStreamEventOptions = {},
): Extract<StreamEvent, { type: P['type'] }> {
  const traceContext = injectTraceContext(options.context);
  return {
    event_id: options.eventId ?? randomUUID(),
    timestamp: options.timestamp ?? Date.now(),
    // no trace, no field: the null traceparent was a quarter of a small event's bytes
    ...(traceContext.traceparent === NULL_TRACEPARENT ? {} : { trace_context: traceContext }),
    run_id: runId,
    type: payload.type,
    payload,
  } as unknown as Extract<StreamEvent, { type: P['type'] }>;
}
