import { type CreateStreamEventOptions, createStreamEvent } from '@cody/redis';
import type { ReducerState } from '@cody/reducer';
import type { ErrorInfo, StreamEvent } from '@cody/schema';

/**
 * The events that end a run nobody will finish: `item_error` for every item still streaming
 * (their content so far is kept), then `response_error` with `error`.
 */
export function closingEvents(
  runId: string,
  state: ReducerState | undefined,
  error: ErrorInfo,
  options: CreateStreamEventOptions = {},
): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const [itemId, status] of Object.entries(state?.itemStatus ?? {})) {
    if (status !== 'streaming') continue;
    events.push(
      createStreamEvent(
        runId,
        { type: 'item_error', item_id: itemId, error: { code: error.code, message: error.message } },
        options,
      ),
    );
  }
  events.push(createStreamEvent(runId, { type: 'response_error', response_id: runId, error }, options));
  return events;
}
