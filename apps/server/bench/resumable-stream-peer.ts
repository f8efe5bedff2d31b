// The e2e bench's peer (issue #11): the AI SDK's `resumable-stream` (Redis pub/sub, chunks kept
// in the producer's memory, nothing persisted) behind a minimal HTTP server that speaks the
// two routes the bench's readers use. POST /api/v2/submit starts the model call through the same
// adapter and test LLM as Cody, feeding each part as an SSE frame into a resumable stream that the
// server drains itself; GET /api/v2/stream/:id follows that stream with `resumeExistingStream`
// (read after submit, as Cody's clients read). Run by e2e.bench.ts in a process of its own
// (fork, IPC: {type:'ready', url}); env: REDIS_URL, PEER_TAP_URL, PEER_PREFIX.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { createProvider, resolveModel } from '@cody/adapters';
import { Redis } from 'ioredis';
import { createResumableStreamContext } from 'resumable-stream/ioredis';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const publisher = new Redis(redisUrl, { connectionName: 'bench-peer-pub' });
const subscriber = new Redis(redisUrl, { connectionName: 'bench-peer-sub' });
// a SUBSCRIBE queued before the connection's ready check makes ioredis fail that check
await Promise.all([once(publisher, 'ready'), once(subscriber, 'ready')]);
const context = createResumableStreamContext({
  waitUntil: null,
  keyPrefix: process.env.PEER_PREFIX ?? 'bench:peer',
  publisher,
  subscriber,
});
const provider = createProvider(
  'openai',
  { OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: `${process.env.PEER_TAP_URL}/v1` },
  { maxRetries: 0 },
);
const model = resolveModel('openai', 'gpt-5-mini');

/** The model's parts as SSE frames shaped like Cody's (`type`, `payload`), ending in `response_done`. */
function modelStream(prompt: string): ReadableStream<string> {
  const history = [{ id: randomUUID(), type: 'message' as const, origin: 'user' as const, content: prompt }];
  const parts = provider.streamTurn({ model, history })[Symbol.asyncIterator]();
  const frame = (type: string, payload: unknown) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, payload })}\n\n`;
  return new ReadableStream<string>({
    async pull(controller) {
      try {
        const next = await parts.next();
        if (!next.done) return controller.enqueue(frame(next.value.type, next.value));
        controller.enqueue(frame('response_done', { status: 'complete' }));
      } catch (error) {
        console.error('resumable-stream peer: model call', error);
        controller.enqueue(frame('response_error', { message: String(error) }));
      }
      controller.close();
    },
  });
}

async function pipe(stream: ReadableStream<string>, res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for await (const chunk of stream) res.write(chunk);
  res.end();
}

const server = createServer(async (req, res) => {
  try {
    if (req.method === 'POST' && req.url === '/api/v2/submit') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const { prompt } = JSON.parse(body) as { prompt: string };
      const runId = randomUUID();
      const stream = await context.createNewResumableStream(runId, () => modelStream(prompt));
      // the producer's own reader drains it; readers follow through resumeExistingStream
      void (async () => {
        if (stream) for await (const _ of stream);
      })().catch((error: unknown) => console.error('resumable-stream peer: producer', error));
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ runId }));
      return;
    }
    const match = /^\/api\/v2\/stream\/([^/?]+)/.exec(req.url ?? '');
    if (req.method === 'GET' && match?.[1]) {
      const stream = await context.resumeExistingStream(match[1]);
      if (!stream) {
        // undefined: no such stream; null: it already ended
        res.writeHead(404).end(stream === null ? 'ended' : 'unknown');
        return;
      }
      await pipe(stream, res);
      return;
    }
    res.writeHead(404).end();
  } catch (error) {
    console.error('resumable-stream peer:', error);
    if (!res.headersSent) res.writeHead(500);
    res.end(String(error));
  }
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${address.port}` });
});
process.on('message', (message: { type?: string }) => {
  if (message.type !== 'stop') return;
  server.close();
  publisher.disconnect();
  subscriber.disconnect();
  process.exit(0);
});
