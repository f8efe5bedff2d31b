import { useSyncExternalStore } from 'react';
import type { ExternalStore } from '../lib/external-store';

/** Binds a framework-free store to React. */
export function useStore<T>(store: ExternalStore<T>): T {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
