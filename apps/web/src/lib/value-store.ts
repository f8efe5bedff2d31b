import type { ExternalStore } from './external-store';

export interface ValueStore<T> extends ExternalStore<T> {
  set(value: T): void;
  update(change: (current: T) => T): void;
}

/** A tiny observable value for UI state that changes rarely (statuses, lists). */
export function createValueStore<T>(initial: T): ValueStore<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  const set = (next: T) => {
    if (Object.is(next, value)) return;
    value = next;
    for (const listener of [...listeners]) listener();
  };
  return {
    getSnapshot: () => value,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    set,
    update: (change) => set(change(value)),
  };
}
