import type { Response, StreamEvent, StreamPayload, TraceContext } from '@cody/schema';
import { newId } from './new-id';
import { itemStartPayload, responseStartPayload } from './start-payloads';

export interface ReplayOptions {
  /** Trace context stamped on every replayed event; a null context when absent. */
  traceContext?: TraceContext;
  /** Mints event ids; random UUIDs by default. */
  newEventId?: () => string;
}

/**
 * A compact valid event sequence whose reduction equals `response`: one start, each item
 * as start + done, then the terminal state. Serves runs whose live stream has expired.
 */
export function replayEvents(response: Response, options: ReplayOptions = {}): StreamEvent[] {
  const payloads: StreamPayload[] = [responseStartPayload(response)];
  for (const item of response.output_items) {
    payloads.push(itemStartPayload(item), { type: 'item_done', item_id: item.id, final_item: item });
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
  const traceContext = options.traceContext;
  const mint = options.newEventId ?? newId;
  return payloads.map(
    (payload) =>
      ({
        event_id: mint(),
        timestamp: response.updated_at,
        ...(traceContext === undefined ? {} : { trace_context: traceContext }),
        run_id: response.id,
        type: payload.type,
        payload,
      }) as StreamEvent,
  );
}
