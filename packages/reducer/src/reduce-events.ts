import type { Response } from '@cody/schema';
import { applyEvent } from './apply-event';
import type { ReducerState } from './reducer-state';

/** Folds a sequence of events (validated one by one) into the run's full reducer state. */
export function reduceEventsToState(
  events: Iterable<unknown>,
  initial?: ReducerState,
): ReducerState | undefined {
  let state = initial;
  for (const event of events) state = applyEvent(state, event);
  return state;
}

/** Folds a sequence of events into the Response they describe (undefined before a start). */
export function reduceEvents(events: Iterable<unknown>): Response | undefined {
  return reduceEventsToState(events)?.response;
}
