import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient } from './api-client';
import { ApiError } from './api-error';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server | undefined;
afterEach(async () => {
  const current = server;
  server = undefined;
  if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
});

async function serve(handler: Handler): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('createApiClient', () => {
  it('sends JSON with the bearer token and reads the JSON answer', async () => {
    const seen: { method?: string; url?: string; auth?: string; body?: string } = {};
    const baseUrl = await serve((req, res, body) => {
      Object.assign(seen, { method: req.method, url: req.url, auth: req.headers.authorization, body });
      json(res, 202, { runId: 'r', turnId: 't', threadId: 'th', streamUrl: '/api/v2/stream/r' });
    });
    const api = createApiClient({ baseUrl, getToken: () => 'secret' });
    const result = await api.submit({ prompt: 'hi', providerId: 'openai', reasoning: 'low' });
    expect(result.runId).toBe('r');
    expect(seen).toEqual({
      method: 'POST',
      url: '/api/v2/submit',
      auth: 'Bearer secret',
      body: JSON.stringify({ prompt: 'hi', providerId: 'openai', reasoning: 'low' }),
    });
    expect(api.streamUrl('r', result.streamUrl)).toBe(`${baseUrl}/api/v2/stream/r`);
  });

  it('turns the server error body into an ApiError with its code and status', async () => {
    const baseUrl = await serve((_req, res) =>
      json(res, 404, { error: { code: 'THREAD_NOT_FOUND', message: 'Thread x does not exist' } }),
    );
    const error = await createApiClient({ baseUrl })
      .getThread('x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'THREAD_NOT_FOUND',
      status: 404,
      message: 'Thread x does not exist',
    });
  });

  it('reports a proxy error page as an unreachable server', async () => {
    const baseUrl = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<h1>Bad gateway</h1>');
    });
    const error = (await createApiClient({ baseUrl })
      .listThreads()
      .catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('SERVER_UNREACHABLE');
    expect(error.isUnreachable).toBe(true);
  });

  it('reports a refused connection as an unreachable server', async () => {
    const baseUrl = await serve(() => undefined);
    const current = server;
    server = undefined;
    await new Promise<void>((resolve) => current?.close(() => resolve()));
    const error = (await createApiClient({ baseUrl })
      .getConfig()
      .catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('SERVER_UNREACHABLE');
    expect(error.status).toBe(0);
  });

  it('flags a 401 without a body as needing a token', async () => {
    const baseUrl = await serve((_req, res) => {
      res.writeHead(401);
      res.end();
    });
    const error = (await createApiClient({ baseUrl })
      .listThreads({ limit: 5, cursor: 'abc' })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.isUnauthorized).toBe(true);
  });

  it('paginates threads with limit and cursor', async () => {
    let url = '';
    const baseUrl = await serve((req, res) => {
      url = req.url ?? '';
      json(res, 200, { threads: [], nextCursor: null });
    });
    await createApiClient({ baseUrl }).listThreads({ limit: 20, cursor: 'c 1' });
    expect(url).toBe('/api/v2/threads?limit=20&cursor=c+1');
  });
});
