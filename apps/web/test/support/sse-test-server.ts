import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StreamEvent } from '@cody/schema';

/** What the server does on one connection, after sending `send` events from the resume point. */
export interface ConnectionPlan {
  /** Answer with this status and JSON body instead of a stream. */
  status?: number;
  body?: unknown;
  /** Events to send on this connection; all remaining when undefined. */
  send?: number;
  /**
   * Afterwards: `end` the response, `destroy` the socket, `cut` it in the middle of the next
   * message, go `silent` (open, no bytes), or `hold` it open with heartbeats.
   * Default: `end` (what the real server does after the terminal event).
   */
  after?: 'end' | 'destroy' | 'cut' | 'silent' | 'hold';
  /** Write each message in small byte slices (splitting multi-byte characters). */
  sliceBytes?: number;
  /** Send heartbeats (a comment and a `heartbeat` event) between messages. */
  heartbeats?: boolean;
}

export interface RecordedRequest {
  url: string;
  lastEventId: string | undefined;
  authorization: string | undefined;
  /** Index of the first event this connection sent. */
  from: number;
  /** How many whole events it sent. */
  sent: number;
}

export interface SseTestServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** SSE message ids shaped like Redis stream entry ids. */
export const entryId = (index: number) => `1700000000000-${index}`;

/**
 * A real HTTP server speaking the run stream protocol of SPEC §5 for one scripted run:
 * `id:` entry id, `event:` type, `data:` StreamEvent JSON; resumes after `Last-Event-ID`
 * (or `?from=`). `plan(n)` scripts connection n (0-based): drops, cuts, silences, errors.
 */
export async function startSseTestServer(
  events: readonly StreamEvent[],
  plan: (connection: number) => ConnectionPlan = () => ({}),
  options: {
    /**
     * Resolves once the client has taken event `index`. Given, a `destroy` or `cut` waits for the
     * last event sent before it drops the connection: Bun's fetch discards bytes it has read but
     * not yet handed to the body's reader when the connection then fails (browsers and Node hand
     * them over), so without the wait where the drop falls would depend on the runtime.
     */
    delivered?: (index: number) => Promise<void>;
  } = {},
): Promise<SseTestServer> {
  const requests: RecordedRequest[] = [];
  const frames = events.map(
    (event, index) => `id: ${entryId(index)}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`,
  );

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const connection = requests.length;
    const header = req.headers['last-event-id'];
    const lastEventId = typeof header === 'string' ? header : undefined;
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('from') ?? undefined;
    const resumeAfter = lastEventId ?? query;
    const known =
      resumeAfter === undefined ? -1 : frames.findIndex((_, index) => entryId(index) === resumeAfter);
    const from = known + 1;
    const record: RecordedRequest = {
      url: req.url ?? '',
      lastEventId,
      authorization: req.headers.authorization,
      from,
      sent: 0,
    };
    requests.push(record);
    const step = plan(connection);

    if (step.status !== undefined) {
      res.writeHead(step.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(step.body ?? {}));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    const to = Math.min(frames.length, from + (step.send ?? frames.length));
    for (let index = from; index < to; index += 1) {
      if (step.heartbeats) {
        await write(res, ': keep-alive\n\n');
        await write(res, `event: heartbeat\ndata: ${JSON.stringify({ type: 'heartbeat' })}\n\n`);
        await write(res, `data: ${JSON.stringify({ type: 'heartbeat' })}\n\n`);
      }
      // counted when handed to the socket: a client that closes after the terminal event may stop reading
      record.sent += 1;
      await writeFrame(res, frames[index] as string, step.sliceBytes);
    }
    const after = step.after ?? 'end';
    if ((after === 'destroy' || after === 'cut') && to > from) await options.delivered?.(to - 1);
    switch (after) {
      case 'end':
        res.end();
        return;
      case 'destroy':
        res.socket?.destroy();
        return;
      case 'cut': {
        const next = frames[to];
        if (next) await write(res, next.slice(0, Math.floor(next.length / 2)));
        res.socket?.destroy();
        return;
      }
      case 'silent':
        return;
      case 'hold': {
        const timer = setInterval(() => res.write(': ping\n\n'), 20);
        res.on('close', () => clearInterval(timer));
        return;
      }
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.socket?.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v2/stream/run`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function writeFrame(res: ServerResponse, frame: string, sliceBytes: number | undefined) {
  if (!sliceBytes) return write(res, frame);
  const bytes = Buffer.from(frame, 'utf8');
  for (let offset = 0; offset < bytes.length; offset += sliceBytes) {
    await write(res, bytes.subarray(offset, offset + sliceBytes));
  }
}

// waits for the socket to take the bytes and yields, so slices leave as separate TCP writes
function write(res: ServerResponse, chunk: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.write(chunk, () => setImmediate(resolve));
  });
}
