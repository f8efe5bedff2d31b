import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { anthropicTurnEvents } from './anthropic-turn-events';
import { checkAuth } from './check-auth';
import { defaultScript } from './default-script';
import { failureFrames } from './failure-frames';
import { openaiTurnEvents } from './openai-turn-events';
import { providerErrorBody } from './provider-error-body';
import type { ProviderKind } from './provider-kind';
import { createRecordedRequest, type RecordedRequest, type RequestOutcome } from './recorded-request';
import { loadRecording, recordingProvider } from './recordings';
import type { Rejection } from './rejection';
import type { Reply, StreamControls } from './reply';
import { matchesRequest, type RequestMatcher, type Rule } from './rule';
import { type SseFrame, sseFrame } from './sse-frame';
import { planTurn } from './turn-plan';
import { validateAnthropicRequest } from './validate-anthropic-request';
import { validateOpenAIRequest } from './validate-openai-request';
import { wireIds } from './wire-ids';

export interface TestLlmOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Tried in order for each request; the first that matches (and has uses left) answers. */
  rules?: Rule[];
  /** The answer when no rule matches; default: {@link defaultScript}. */
  fallback?: Reply | ((request: RecordedRequest) => Reply);
  /** When set, only these keys are accepted (others get the provider's 401). */
  apiKeys?: readonly string[];
  /** Pause before each SSE event, in ms (default 0); a reply's own `delayMs` wins. */
  delayMs?: number;
  /** Largest request body accepted (default 64 MiB). */
  maxBodyBytes?: number;
  /** Keep only the latest this many requests in `requests` (default: all; a long-running demo sets one). */
  keepRequests?: number;
}

export interface TestLlm {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  /** For the OpenAI SDK / `OPENAI_BASE_URL`: `${url}/v1`. */
  readonly openaiBaseUrl: string;
  /** For the Anthropic SDK / `ANTHROPIC_BASE_URL`: `${url}` (the SDK adds `/v1/messages`). */
  readonly anthropicBaseUrl: string;
  /** Every request received, in arrival order (including rejected ones). */
  readonly requests: readonly RecordedRequest[];
  /** Appends a rule; returns a function that removes it. */
  addRule(rule: Rule): () => void;
  /** The recorded requests a matcher selects (a test's marker, say). */
  findRequests(matcher: RequestMatcher): RecordedRequest[];
  close(): Promise<void>;
}

const ROUTES: Record<string, ProviderKind> = {
  'POST /v1/responses': 'openai',
  'POST /v1/messages': 'anthropic',
};

interface LiveRule {
  rule: Rule;
  used: number;
}

/**
 * Starts a local HTTP server that speaks the OpenAI Responses and Anthropic Messages
 * streaming protocols: it replays recordings or plays scripted turns, validates requests
 * where the real APIs do, and records what it received.
 */
export async function startTestLlm(options: TestLlmOptions = {}): Promise<TestLlm> {
  const rules: LiveRule[] = (options.rules ?? []).map((rule) => ({ rule, used: 0 }));
  const requests: RecordedRequest[] = [];
  const fallback = options.fallback ?? defaultScript;
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  let received = 0;

  const pickReply = (request: RecordedRequest): Reply => {
    for (const live of rules) {
      if (live.rule.times !== undefined && live.used >= live.rule.times) continue;
      if (!matchesRequest(live.rule.match, request)) continue;
      live.used += 1;
      const { reply } = live.rule;
      return typeof reply === 'function' ? reply(request) : reply;
    }
    return typeof fallback === 'function' ? fallback(request) : fallback;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const provider = ROUTES[`${req.method} ${path}`];
    if (!provider) {
      sendJson(res, 404, {
        error: { message: `test-llm: no route ${req.method} ${path}`, type: 'invalid_request_error' },
      });
      return;
    }
    let settle: (outcome: RequestOutcome) => void = () => {};
    const outcome = new Promise<RequestOutcome>((resolve) => {
      let settled = false;
      settle = (value) => {
        if (settled) return;
        settled = true;
        resolve(value);
      };
    });
    res.on('close', () => settle(res.writableFinished ? 'completed' : 'client_closed'));

    const raw = await readBody(req, maxBodyBytes);
    let parsed: unknown;
    let parseFailed = false;
    if (raw !== undefined) {
      try {
        parsed = JSON.parse(raw);
      } catch {
        parseFailed = true;
      }
    }
    const body = isObject(parsed) ? parsed : {};
    received += 1;
    const request = createRecordedRequest({
      seq: received,
      provider,
      path,
      headers: req.headers,
      body,
      outcome,
    });
    requests.push(request);
    if (options.keepRequests !== undefined && requests.length > options.keepRequests) {
      requests.splice(0, requests.length - options.keepRequests);
    }

    const reject = (rejection: Rejection, as: RequestOutcome) => {
      request.status = rejection.status;
      settle(as);
      sendJson(res, rejection.status, rejection.body, rejection.headers);
    };

    const auth = checkAuth(provider, req.headers, options.apiKeys);
    if (auth) return reject(auth, 'rejected');
    if (raw === undefined) {
      return reject(
        { status: 413, body: providerErrorBody(provider, 413, { message: 'Request body too large.' }) },
        'rejected',
      );
    }
    if (parseFailed || !isObject(parsed)) {
      const message =
        provider === 'openai'
          ? "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
          : 'There was an error parsing the body of your request: it must be a JSON object.';
      return reject({ status: 400, body: providerErrorBody(provider, 400, { message }) }, 'rejected');
    }
    const invalid = provider === 'openai' ? validateOpenAIRequest(body) : validateAnthropicRequest(body);
    if (invalid) return reject(invalid, 'rejected');

    let reply: Reply;
    try {
      reply = pickReply(request);
    } catch (error) {
      const message = `test-llm: the reply function threw: ${error instanceof Error ? error.message : String(error)}`;
      return reject({ status: 500, body: providerErrorBody(provider, 500, { message }) }, 'http_error');
    }

    if (reply.kind === 'http_error') {
      const errorBody =
        reply.body ?? providerErrorBody(provider, reply.status, { message: reply.message, type: reply.type });
      return reject({ status: reply.status, body: errorBody, headers: reply.headers ?? {} }, 'http_error');
    }

    let frames: SseFrame[];
    if (reply.kind === 'recording') {
      const recorded = recordingProvider(reply.name);
      if (recorded !== provider) {
        const message = `test-llm: recording ${reply.name} is not a ${provider} stream (request went to ${path})`;
        return reject({ status: 500, body: providerErrorBody(provider, 500, { message }) }, 'http_error');
      }
      try {
        frames = loadRecording(reply.name);
      } catch (error) {
        const message = `test-llm: cannot load recording ${reply.name}: ${error instanceof Error ? error.message : String(error)}`;
        return reject({ status: 500, body: providerErrorBody(provider, 500, { message }) }, 'http_error');
      }
    } else {
      const plan = planTurn(reply, body);
      frames = provider === 'openai' ? openaiTurnEvents(plan, body) : anthropicTurnEvents(plan, body);
    }

    request.status = 200;
    await writeStream(res, provider, request, frames, reply, options.delayMs ?? 0, settle);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `test-llm: ${String(error)}` } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  return {
    url,
    port: address.port,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    requests,
    addRule(rule) {
      const live = { rule, used: 0 };
      rules.push(live);
      return () => {
        const index = rules.indexOf(live);
        if (index >= 0) rules.splice(index, 1);
      };
    },
    findRequests: (matcher) => requests.filter((request) => matchesRequest(matcher, request)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Writes the events one by one (awaiting each flush), applying the reply's stream controls. */
async function writeStream(
  res: ServerResponse,
  provider: ProviderKind,
  request: RecordedRequest,
  frames: readonly SseFrame[],
  controls: StreamControls,
  defaultDelay: number,
  settle: (outcome: RequestOutcome) => void,
): Promise<void> {
  const requestId = wireIds.requestId();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...(provider === 'openai'
      ? { 'x-request-id': requestId, 'openai-version': '2020-10-01' }
      : { 'request-id': requestId }),
  });
  res.flushHeaders();
  const delay = controls.delayMs ?? defaultDelay;
  const write = (frame: SseFrame) =>
    new Promise<boolean>((resolve) => {
      if (res.destroyed) return resolve(false);
      res.write(`${frame.raw}\n\n`, (error) => resolve(!error));
    });

  // a failed write means the client went away; the 'close' listener records that
  for (let index = 0; index <= frames.length; index += 1) {
    for (const extra of controls.inject ?? []) {
      if (extra.afterEvents === index && !(await write(sseFrame(extra.event, extra.data)))) return;
    }
    if (controls.dropAfterEvents === index) {
      settle('dropped');
      res.socket?.destroy();
      return;
    }
    if (controls.endAfterEvents === index) break;
    if (controls.hold?.afterEvents === index) await controls.hold.until.catch(() => {});
    if (controls.error?.afterEvents === index) {
      const model = typeof request.body.model === 'string' ? request.body.model : undefined;
      for (const frame of failureFrames(provider, { ...controls.error, sequence: index, model })) {
        if (!(await write(frame))) return;
      }
      break;
    }
    const frame = frames[index];
    if (!frame) break;
    if (delay > 0) await sleep(delay);
    if (!(await write(frame))) return;
    request.eventsSent += 1;
  }
  await new Promise<void>((resolve) => res.end(resolve));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body as text, or undefined when it exceeds `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk as Buffer);
  }
  return tooLarge ? undefined : Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
