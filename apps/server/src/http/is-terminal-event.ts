import type { StreamEvent } from '@cody/schema';

const TERMINAL_TYPES = new Set(['response_done', 'response_error', 'turn_aborted_by_user']);

/** True for the events after which a run's stream carries nothing more for readers. */
export function isTerminalEvent(event: StreamEvent | null | undefined): boolean {
  return typeof event === 'object' && event !== null && TERMINAL_TYPES.has(event.type);
}
