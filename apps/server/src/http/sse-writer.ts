import type { ServerResponse } from 'node:http';

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
  async message(fields: { id?: string; event: string; data: string }): Promise<void> {
    const frame = `${fields.id === undefined ? '' : `id: ${fields.id}\n`}event: ${fields.event}\ndata: ${fields.data}\n\n`;
    await this.write(frame);
  }

  /** A comment line: keeps proxies and clients from timing the connection out. */
  comment(text: string): Promise<void> {
    return this.write(`: ${text}\n\n`);
  }

  end(): void {
    if (!this.isClosed) this.raw.end();
  }

  private async write(chunk: string): Promise<void> {
    if (this.isClosed) return;
    if (this.raw.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.raw.off('drain', done);
        this.raw.off('close', done);
        resolve();
      };
      this.raw.once('drain', done);
      this.raw.once('close', done);
    });
  }
}
