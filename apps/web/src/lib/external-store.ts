/** The shape React's useSyncExternalStore binds to (and the hydrator already has). */
export interface ExternalStore<T> {
  getSnapshot(): T;
  subscribe(listener: () => void): () => void;
}
