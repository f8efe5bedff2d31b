import { type CreateStreamEventOptions, createStreamEvent } from '@cody/redis';
import { itemStartPayload, type ReducerState, responseStartPayload } from '@cody/reducer';
import type { OutputItem, StreamEvent, StreamPayload } from '@cody/schema';

/**
 * A compact event sequence whose reduction equals `state`'s Response, for a stream Redis lost:
 * the start, each closed item as start + done, each item still streaming as start + one delta
 * of its text so far (so it stays open, as it was), then the usage. No terminal event: the
 * caller appends the one that applies.
 */
export function restoreEvents(
  state: ReducerState | undefined,
  options: CreateStreamEventOptions = {},
): StreamEvent[] {
  const response = state?.response;
  if (response === undefined) return [];
  const payloads: StreamPayload[] = [responseStartPayload(response)];
  for (const item of response.output_items) {
    payloads.push(itemStartPayload(item));
    if (state?.itemStatus[item.id] === 'streaming') {
      const text = streamedText(item);
      if (text !== '') payloads.push({ type: 'item_delta', item_id: item.id, delta_content: text });
    } else {
      payloads.push({ type: 'item_done', item_id: item.id, final_item: item });
    }
  }
  if (response.usage !== undefined)
    payloads.push({ type: 'usage_update', response_id: response.id, usage: response.usage });
  // stamped with the snapshot's own time, so the restored Response is the same to the millisecond
  return payloads.map((payload) =>
    createStreamEvent(response.id, payload, { timestamp: response.updated_at, ...options }),
  );
}

// what an open item has received so far: the one text field its deltas append to
function streamedText(item: OutputItem): string {
  switch (item.type) {
    case 'message':
    case 'reasoning':
      return item.content;
    case 'function_call':
      return item.arguments;
    case 'function_call_output':
      return item.output;
    case 'script_execution':
      return item.code;
    case 'script_execution_output':
      return item.result;
    case 'error':
      return item.message;
  }
}
