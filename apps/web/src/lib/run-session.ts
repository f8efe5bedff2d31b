import { createHydrator, type HydratorSnapshot } from '@cody/reducer';
import type { Response as RunResponse } from '@cody/schema';
import { createFrameBatchedStore, type FrameBatchedStore } from './frame-batched-store';
import { openRunStream, type RunStream, type RunStreamOptions, type RunStreamState } from './run-stream';
import { createValueStore, type ValueStore } from './value-store';

export type RunStreamTuning = Pick<
  RunStreamOptions,
  'initialDelayMs' | 'maxDelayMs' | 'maxAttempts' | 'idleTimeoutMs'
>;

export interface RunSessionOptions {
  runId: string;
  /** The run's SSE URL. */
  streamUrl: string;
  headers?: () => Record<string, string>;
  fetch?: typeof fetch;
  /** The prompt this client submitted: shown until the run's own user message arrives. */
  prompt?: string;
  stream?: RunStreamTuning;
}

export interface RunSession {
  readonly runId: string;
  readonly prompt: string | undefined;
  /** The hydrated run, published at most once per animation frame. */
  readonly view: FrameBatchedStore<HydratorSnapshot>;
  /** The live stream's state; undefined while the run is shown from history only. */
  readonly connection: ValueStore<RunStreamState | undefined>;
  /** Shows a stored snapshot (a finished run from history). */
  load(snapshot: RunResponse): void;
  /**
   * Follows the live stream until the terminal event, resuming after the last event applied
   * (from the start the first time). `fallback` is shown if the server no longer knows the stream.
   */
  follow(fallback?: RunResponse): void;
  /** Closes the live stream, keeping what arrived; `follow` resumes it. */
  pause(): void;
  isDone(): boolean;
  dispose(): void;
}

/** One run on screen: a hydrator (the reducer's client binding), its live stream and a per-frame view. */
export function createRunSession(options: RunSessionOptions): RunSession {
  const hydrator = createHydrator();
  const view = createFrameBatchedStore(hydrator);
  const connection = createValueStore<RunStreamState | undefined>(undefined);
  let stream: RunStream | undefined;

  const pause = () => {
    const current = stream;
    if (!current) return;
    stream = undefined;
    current.close();
    connection.set(current.getState());
  };

  return {
    runId: options.runId,
    prompt: options.prompt,
    view,
    connection,
    load(snapshot) {
      pause();
      hydrator.load(snapshot);
      connection.set(undefined);
      view.flush();
    },
    follow(fallback) {
      if (hydrator.getSnapshot().done || stream) return;
      // declared first: openRunStream reports its initial state synchronously
      let current: RunStream | undefined;
      current = openRunStream({
        ...options.stream,
        url: options.streamUrl,
        hydrator,
        lastEventId: hydrator.getSnapshot().lastEventId,
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        onStateChange: (state) => {
          if (current === undefined || stream === current) connection.set(state);
        },
      });
      const opened = current;
      stream = opened;
      // back online: reconnect now instead of at the end of the backoff wait
      const online = () => opened.retryNow();
      globalThis.addEventListener?.('online', online);
      connection.set(opened.getState());
      void opened.finished.then((state) => {
        globalThis.removeEventListener?.('online', online);
        if (stream === opened) stream = undefined;
        if (state.status === 'failed' && state.error?.status === 404 && fallback) {
          hydrator.load(fallback);
          connection.set(undefined);
        }
        view.flush();
      });
    },
    pause,
    isDone: () => hydrator.getSnapshot().done,
    dispose() {
      pause();
      view.dispose();
    },
  };
}
