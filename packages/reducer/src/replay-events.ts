import type { OutputItem, Response, StreamEvent, StreamPayload, TraceContext } from '@cody/schema';
import { newId } from './new-id';

export interface ReplayOptions {
  /** Trace context stamped on every replayed event; a null context when absent. */
  traceContext?: TraceContext;
  /** Mints event ids; random UUIDs by default. */
  newEventId?: () => string;
}

const NULL_TRACE: TraceContext = { traceparent: '00-00000000000000000000000000000000-0000000000000000-00' };

/**
 * A compact valid event sequence whose reduction equals `response`: one start, each item
 * as start + done, then the terminal state. Serves runs whose live stream has expired.
 */
export function replayEvents(response: Response, options: ReplayOptions = {}): StreamEvent[] {
  const payloads: StreamPayload[] = [
    {
      type: 'response_start',
      response_id: response.id,
      turn_id: response.turn_id,
      thread_id: response.thread_id,
      ...(response.agent_id === undefined ? {} : { agent_id: response.agent_id }),
      model_id: response.model_id,
      provider_id: response.provider_id,
      created_at: response.created_at,
    },
  ];
  for (const item of response.output_items) {
    payloads.push(itemStart(item), { type: 'item_done', item_id: item.id, final_item: item });
  }
  const terminal =
    response.status === 'complete' || response.status === 'error' || response.status === 'aborted';
  if (terminal) {
    payloads.push({
      type: 'response_done',
      response_id: response.id,
      status: response.status,
      finish_reason: response.finish_reason,
      ...(response.usage === undefined ? {} : { usage: response.usage }),
      ...(response.error === undefined ? {} : { error: response.error }),
    });
  } else if (response.usage !== undefined) {
    payloads.push({ type: 'usage_update', response_id: response.id, usage: response.usage });
  }
  const traceContext = options.traceContext ?? NULL_TRACE;
  const mint = options.newEventId ?? newId;
  return payloads.map(
    (payload) =>
      ({
        event_id: mint(),
        timestamp: response.updated_at,
        trace_context: traceContext,
        run_id: response.id,
        type: payload.type,
        payload,
      }) as StreamEvent,
  );
}

function itemStart(item: OutputItem): StreamPayload {
  const base = { type: 'item_start' as const, item_id: item.id, item_type: item.type, origin: item.origin };
  switch (item.type) {
    case 'function_call':
      return { ...base, name: item.name, call_id: item.call_id };
    case 'function_call_output':
      return { ...base, call_id: item.call_id };
    case 'script_execution':
      return item.call_id === undefined ? base : { ...base, call_id: item.call_id };
    case 'script_execution_output':
      return { ...base, script_id: item.script_id };
    default:
      return base;
  }
}
