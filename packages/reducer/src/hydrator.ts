import { ERROR_CODES, isTerminalStatus, type Response } from '@cody/schema';
import { applyEvent } from './apply-event';
import type { ReducerState } from './reducer-state';
import { replayEvents as replay } from './replay-events';

/** One SSE message as a client receives it. `data` is the StreamEvent JSON (or the parsed object). */
export interface SseMessage {
  id?: string | undefined;
  event?: string | undefined;
  data: string | unknown;
}

export interface HydratorSnapshot {
  readonly state: ReducerState | undefined;
  readonly response: Response | undefined;
  /** The id of the last SSE message applied: send it as Last-Event-ID to resume. */
  readonly lastEventId: string | undefined;
  /** True once the run reached a terminal status (or the stream broke before it started). */
  readonly done: boolean;
}

export interface Hydrator {
  /** Applies one SSE message; never throws. */
  push(message: SseMessage): void;
  /** Applies a stored snapshot (a history load), keeping later live events applicable. */
  load(response: Response, lastEventId?: string): void;
  /** The current snapshot; the same object until something changes (fits useSyncExternalStore). */
  getSnapshot(): HydratorSnapshot;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  reset(): void;
}

const EMPTY: HydratorSnapshot = {
  state: undefined,
  response: undefined,
  lastEventId: undefined,
  done: false,
};

/**
 * The client side of a run: feeds SSE messages through the same reducer the server uses and
 * tells subscribers with plain callbacks, so any UI framework can bind to it.
 */
export function createHydrator(): Hydrator {
  let snapshot = EMPTY;
  const listeners = new Set<() => void>();

  const commit = (state: ReducerState | undefined, lastEventId: string | undefined) => {
    if (state === snapshot.state && lastEventId === snapshot.lastEventId) return;
    const response = state?.response;
    snapshot = {
      state,
      response,
      lastEventId,
      done: response ? isTerminalStatus(response.status) : state?.error !== undefined,
    };
    for (const listener of listeners) listener();
  };

  return {
    push(message) {
      let event: unknown = message.data;
      if (typeof event === 'string') {
        try {
          event = JSON.parse(event);
        } catch {
          const state = applyEvent(snapshot.state, {
            invalid: `${ERROR_CODES.INVALID_EVENT}: SSE data is not JSON`,
          });
          commit(state, message.id ?? snapshot.lastEventId);
          return;
        }
      }
      commit(applyEvent(snapshot.state, event), message.id ?? snapshot.lastEventId);
    },
    load(response, lastEventId) {
      let state: ReducerState | undefined;
      for (const event of replay(response)) state = applyEvent(state, event);
      commit(state, lastEventId);
    },
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reset() {
      commit(undefined, undefined);
    },
  };
}
