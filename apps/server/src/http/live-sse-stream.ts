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
    // an entry whose text is not JSON carries that text as its event (decodeStreamEntries)
    const event = entry.event as StreamEntry['event'] | string;
    const type = typeof event === 'object' && event !== null ? String(event.type) : 'invalid';
    // the bytes read from Redis go out as they are (serialised once, by the publisher), unless a
    // line break in them would end the SSE field early: then the event is serialised again
    let data = entry.json ?? (typeof event === 'string' ? event : JSON.stringify(event));
    if (LINE_BREAK.test(data))
      data = typeof event === 'string' ? event.replace(LINE_BREAKS, ' ') : JSON.stringify(event);
    frame = sseFrame({ id: entry.id, event: LINE_BREAK.test(type) ? 'invalid' : type, data });
    frames.set(entry, frame);
  }
  return frame;
}

const LINE_BREAK = /[\r\n]/;
const LINE_BREAKS = /[\r\n]+/g;
