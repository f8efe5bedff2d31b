import { createStreamEvent } from '@cody/redis';
import type { ReducerState } from '@cody/reducer';
import type { FunctionCallItem, StreamEvent } from '@cody/schema';

export const CANCELLED_CALL_OUTPUT = 'cancelled: the run was stopped before this tool call finished';

/** `item_cancelled` for every item of the run still streaming. */
export function cancelOpenItemEvents(
  runId: string,
  state: ReducerState | undefined,
  reason: string,
): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const [itemId, status] of Object.entries(state?.itemStatus ?? {})) {
    if (status === 'streaming')
      events.push(createStreamEvent(runId, { type: 'item_cancelled', item_id: itemId, reason }));
  }
  return events;
}

/**
 * A failed `function_call_output` (item_start + item_done) answering `call`, so the next turn is
 * a valid transcript for the provider.
 */
export function failedCallOutputEvents(
  runId: string,
  call: FunctionCallItem,
  output: string,
  id: string,
): StreamEvent[] {
  return [
    createStreamEvent(runId, {
      type: 'item_start',
      item_id: id,
      item_type: 'function_call_output',
      origin: 'system',
      call_id: call.call_id,
    }),
    createStreamEvent(runId, {
      type: 'item_done',
      item_id: id,
      final_item: {
        id,
        type: 'function_call_output',
        origin: 'system',
        call_id: call.call_id,
        output,
        success: false,
      },
    }),
  ];
}

/** Function calls of a run (as reduced so far) that have no output yet. */
export function unansweredCalls(state: ReducerState | undefined): FunctionCallItem[] {
  const items = state?.response?.output_items ?? [];
  const answered = new Set(
    items.flatMap((item) => (item.type === 'function_call_output' ? [item.call_id] : [])),
  );
  return items.filter(
    (item): item is FunctionCallItem => item.type === 'function_call' && !answered.has(item.call_id),
  );
}
