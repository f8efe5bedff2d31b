import type { RedisTransport, StreamEntry } from '@cody/redis';
import { isTerminalEvent } from './is-terminal-event';
import { type SseWriter, sseFrame } from './sse-writer';

export interface LiveSseStreamOptions {
  transport: RedisTransport;
  sse: SseWriter;
  runId: string;
  /** Entries after this id are sent. */
  from: string;
  /** Ends the stream (the client left). */
  signal: AbortSignal;
  /**
   * How long frames may wait to be written together, asked per batch: 0 writes each batch the
   * tailer read at once; a crowded run trades a few ms of latency for far fewer socket writes.
   */
  coalesceMs: () => number;
}

/**
 * Writes a run's live entries to one SSE connection until the terminal event (resolves), the
 * client leaves (resolves) or the tailer fails (rejects). A client that reads slower than the
 * run produces is paused: the tailer stops delivering to it and reads on from its cursor once
 * the socket drains, so nothing is buffered without bound and nothing is lost.
 */
export function followLiveStream(options: LiveSseStreamOptions): Promise<void> {
  const { transport, sse, runId, from, signal } = options;
  return new Promise<void>((resolve, reject) => {
    let pending = '';
    let timer: NodeJS.Timeout | undefined;
    const write = (frames: string) => {
      const flowing = sse.writeFrames(pending + frames);
      pending = '';
      if (flowing || subscription.paused) return;
      subscription.pause();
      sse.onDrain(() => subscription.resume());
    };
    const flush = () => {
      timer = undefined;
      if (pending !== '') write('');
    };
    const finish = (error?: Error) => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      subscription.close();
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => finish();
    const subscription = transport.subscribe(runId, from, {
      onEntries: (entries) => {
        let frames = '';
        for (const entry of entries) {
          frames += frameOf(entry);
          if (isTerminalEvent(entry.event)) {
            write(frames);
            return finish();
          }
        }
        const wait = options.coalesceMs();
        if (wait <= 0) return write(frames);
        pending += frames;
        timer ??= setTimeout(flush, wait);
      },
      onError: (error) => finish(error),
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// every reader of a run is handed the same entry objects: each frame is serialised once
const frames = new WeakMap<StreamEntry, string>();

function frameOf(entry: StreamEntry): string {
  let frame = frames.get(entry);
  if (frame === undefined) {
    const type = typeof entry.event === 'object' && entry.event !== null ? entry.event.type : 'invalid';
    const data = typeof entry.event === 'string' ? entry.event : JSON.stringify(entry.event);
    frame = sseFrame({ id: entry.id, event: type, data });
    frames.set(entry, frame);
  }
  return frame;
}
