import type { ErrorInfo, Response } from '@cody/schema';
import { emptySeenIds, type SeenIds } from './seen-ids';

/** Where an item stands: still receiving deltas, or closed one way or another. */
export type ItemStatus = 'streaming' | 'done' | 'error' | 'cancelled';

/** Everything the reducer tracks for one run. Treat it as immutable. */
export interface ReducerState {
  /** The snapshot so far; undefined until `response_start` arrives. */
  readonly response: Response | undefined;
  /** Set when the stream broke before any `response_start` (there is no Response to carry it). */
  readonly error: ErrorInfo | undefined;
  readonly itemStatus: Readonly<Record<string, ItemStatus>>;
  /** Position of each item in `response.output_items`. */
  readonly itemIndex: Readonly<Record<string, number>>;
  /** After a sequence error, item events are ignored. */
  readonly halted: boolean;
  readonly seen: SeenIds;
}

export const initialReducerState = (): ReducerState => ({
  response: undefined,
  error: undefined,
  itemStatus: {},
  itemIndex: {},
  halted: false,
  seen: emptySeenIds(),
});
