export { applyEvent } from './apply-event';
export { createHydrator, type Hydrator, type HydratorSnapshot, type SseMessage } from './hydrator';
export { newId } from './new-id';
export { reduceEvents, reduceEventsToState } from './reduce-events';
export { type ItemStatus, initialReducerState, type ReducerState } from './reducer-state';
export { type ReplayOptions, replayEvents } from './replay-events';
export { itemStartPayload, responseStartPayload } from './start-payloads';
