import type { ExternalStore } from './external-store';

export interface FrameScheduler {
  request(callback: () => void): unknown;
  cancel(handle: unknown): void;
}

export interface FrameBatchedStore<T> extends ExternalStore<T> {
  /** Publishes a pending change now instead of at the next frame. */
  flush(): void;
  /** Detaches from the source; listeners hear nothing more. */
  dispose(): void;
}

/** requestAnimationFrame where there is one; a ~60 Hz timer elsewhere (workers, Node). */
export const animationFrameScheduler: FrameScheduler =
  typeof globalThis.requestAnimationFrame === 'function'
    ? {
        request: (callback) => globalThis.requestAnimationFrame(() => callback()),
        cancel: (handle) => globalThis.cancelAnimationFrame(handle as number),
      }
    : {
        request: (callback) => setTimeout(callback, 16),
        cancel: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      };

/**
 * Wraps a store that may change thousands of times a second (a hydrator fed by SSE) so its
 * listeners hear at most one change per animation frame, and `getSnapshot` stays on the last
 * published value in between: React renders once per frame however fast events arrive.
 */
export function createFrameBatchedStore<T>(
  source: ExternalStore<T>,
  scheduler: FrameScheduler = animationFrameScheduler,
): FrameBatchedStore<T> {
  const listeners = new Set<() => void>();
  let published = source.getSnapshot();
  let frame: unknown;
  let scheduled = false;
  let detach: (() => void) | undefined;

  const publish = () => {
    if (scheduled) {
      scheduler.cancel(frame);
      scheduled = false;
    }
    const next = source.getSnapshot();
    if (Object.is(next, published)) return;
    published = next;
    for (const listener of [...listeners]) listener();
  };

  const onSourceChange = () => {
    if (scheduled) return;
    scheduled = true;
    frame = scheduler.request(() => {
      scheduled = false;
      publish();
    });
  };

  return {
    getSnapshot() {
      // without listeners nobody waits for a frame: read through
      if (listeners.size === 0) published = source.getSnapshot();
      return published;
    },
    subscribe(listener) {
      if (listeners.size === 0) {
        published = source.getSnapshot();
        detach = source.subscribe(onSourceChange);
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          detach?.();
          detach = undefined;
          if (scheduled) scheduler.cancel(frame);
          scheduled = false;
        }
      };
    },
    flush: publish,
    dispose() {
      listeners.clear();
      detach?.();
      detach = undefined;
      if (scheduled) scheduler.cancel(frame);
      scheduled = false;
    },
  };
}
