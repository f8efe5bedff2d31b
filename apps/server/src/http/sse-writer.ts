import type { ServerResponse } from 'node:http';

export interface SseFields {
  id?: string;
  event: string;
  data: string;
}

/** One SSE message as text: `id:` (when given), `event:`, `data:` (single line JSON). */
export function sseFrame(fields: SseFields): string {
  return `${fields.id === undefined ? '' : `id: ${fields.id}\n`}event: ${fields.event}\ndata: ${fields.data}\n\n`;
}

/** Writes SSE frames to a raw response, waiting for `drain` when the client reads slowly. */
export class SseWriter {
  private closed = false;

  constructor(private readonly raw: ServerResponse) {
    raw.on('close', () => {
      this.closed = true;
    });
  }

  get isClosed(): boolean {
    return this.closed || this.raw.destroyed;
  }

  /** One message: `id:` (when given), `event:`, `data:` (single line JSON). */
  async message(fields: SseFields): Promise<void> {
    await this.write(sseFrame(fields));
  }

  /** A comment line: keeps proxies and clients from timing the connection out. */
  comment(text: string): Promise<void> {
    return this.write(`: ${text}\n\n`);
  }

  /**
   * Writes ready-made frames at once. Returns false when the client is behind (the socket's
   * buffer is full): the caller stops producing until `onDrain` calls back.
   */
  writeFrames(frames: string): boolean {
    if (this.isClosed) return true;
    return this.raw.write(frames);
  }

  /** Calls `resume` once the client has read what was buffered (or the connection closed). */
  onDrain(resume: () => void): void {
    const done = () => {
      this.raw.off('drain', done);
      this.raw.off('close', done);
      resume();
    };
    this.raw.once('drain', done);
    this.raw.once('close', done);
  }

  end(): void {
    if (!this.isClosed) this.raw.end();
  }

  private async write(chunk: string): Promise<void> {
    if (this.writeFrames(chunk) || this.isClosed) return;
    await new Promise<void>((resolve) => this.onDrain(resolve));
  }
}
