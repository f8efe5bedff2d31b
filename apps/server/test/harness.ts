// The service-suite harness: a real server (in-process, or a child process for crash tests)
// on real Redis with its own key prefix and temp workspace; the LLM is the test LLM at the wire.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHydrator } from '@cody/reducer';
import type { Response, StreamEvent } from '@cody/schema';
import { type Rule, startTestLlm, type TestLlm, type TestLlmOptions } from '@cody/test-llm';
import { prepareExecSandbox } from '@cody/tools';
import { createParser } from 'eventsource-parser';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config';
import { type CodyServer, createCodyServer } from '../src/create-cody-server';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..');

// exec runs in bubblewrap where the machine has it; where not, the suites that only use exec run
// it unconfined (as a person would set CODY_EXEC_SANDBOX=off) and the attack suite skips, saying why
const execSandbox = await prepareExecSandbox();
if (execSandbox.kind === 'unavailable')
  console.warn(`service tests run exec unconfined: no sandbox here (${execSandbox.reason})`);
const sandboxEnv: Record<string, string> =
  execSandbox.kind === 'unavailable' ? { CODY_EXEC_SANDBOX: 'off' } : {};

export interface SseMessage {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

export interface StackOptions {
  /** Rules for the test LLM (first match answers); its default script answers the rest. */
  rules?: Rule[];
  llm?: Omit<TestLlmOptions, 'rules'>;
  /** Extra environment for the server's configuration (CODY_API_TOKEN, CODY_MODELS, …). */
  env?: Record<string, string>;
  /** Run the server in a child process (crash tests kill it); in-process by default. */
  childProcess?: boolean;
  sseHeartbeatMs?: number;
}

export interface Stack {
  baseUrl: string;
  llm: TestLlm;
  /** The temp directory the tools may touch. */
  workspace: string;
  /** This stack's Redis key prefix. */
  prefix: string;
  /** A plain Redis client for assertions on keys. */
  redis: Redis;
  /** The in-process server (undefined with `childProcess`). */
  server: CodyServer | undefined;
  /** The child process (with `childProcess`). */
  child: ChildProcess | undefined;
  /** What the current child process printed so far (stdout and stderr). */
  childOutput(): string;
  env: Record<string, string>;
  api<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiReply<T>>;
  /** POST /api/v2/submit; throws unless 202. */
  submit(
    body: Record<string, unknown>,
  ): Promise<{ runId: string; turnId: string; threadId: string; streamUrl: string }>;
  /** Reads a run's SSE until the server ends it (or `signal`/`stopAfter` stops it). */
  readStream(runId: string, options?: ReadStreamOptions): Promise<SseMessage[]>;
  /** Polls GET /runs/:id until the stored snapshot satisfies `done` (default: a terminal status). */
  waitForRun(runId: string, done?: (response: Response) => boolean, timeoutMs?: number): Promise<Response>;
  /** Kills the child server (SIGKILL) and starts it again on the same port and prefix. */
  restartChild(signal?: NodeJS.Signals): Promise<void>;
  close(): Promise<void>;
}

export interface ApiReply<T> {
  status: number;
  headers: Headers;
  json: T;
}

export interface ReadStreamOptions {
  lastEventId?: string;
  from?: string;
  signal?: AbortSignal;
  /** Stop (abort the request) after this many messages. */
  stopAfter?: number;
  headers?: Record<string, string>;
  /** Called for each message as it arrives. */
  onMessage?: (message: SseMessage) => void;
}

export const isTerminal = (status: Response['status']) =>
  status === 'complete' || status === 'error' || status === 'aborted';

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const llm = await startTestLlm({ ...options.llm, rules: options.rules ?? [] });
  const workspace = mkdtempSync(join(tmpdir(), 'cody-service-'));
  const prefix = `test:server:${randomUUID().slice(0, 8)}:`;
  const port = options.childProcess ? await freePort() : 0;
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL,
    CODY_REDIS_PREFIX: prefix,
    CODY_WORKSPACE: workspace,
    OPENAI_API_KEY: 'test-openai-key',
    OPENAI_BASE_URL: llm.openaiBaseUrl,
    ANTHROPIC_API_KEY: 'test-anthropic-key',
    ANTHROPIC_BASE_URL: llm.anthropicBaseUrl,
    CODY_RUN_TTL_SECONDS: '300',
    LOG_LEVEL: 'warn',
    ...sandboxEnv,
    // the suites submit and poll far faster than a person: limits a client could not reach
    // here (attack-http sets low ones to prove them)
    CODY_RATE_LIMIT_API: '1000000',
    CODY_RATE_LIMIT_SUBMIT: '1000000',
    ...options.env,
  };
  const redis = new Redis(REDIS_URL);

  let server: CodyServer | undefined;
  let child: ChildProcess | undefined;
  let childOutput = '';
  let baseUrl: string;
  const startChild = async () => {
    child = spawn(process.execPath, ['--conditions=@cody/source', '--import', 'tsx', 'src/main.ts'], {
      cwd: serverDir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    childOutput = '';
    const collect = (data: Buffer) => {
      childOutput += data.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    return waitForListening(child);
  };
  if (options.childProcess) {
    baseUrl = await startChild();
  } else {
    server = await createCodyServer({
      config: loadConfig(env),
      env,
      logger: false,
      ...(options.sseHeartbeatMs ? { sseHeartbeatMs: options.sseHeartbeatMs } : {}),
    });
    baseUrl = (await server.listen()).replace('0.0.0.0', '127.0.0.1');
  }

  const stack: Stack = {
    get baseUrl() {
      return baseUrl;
    },
    llm,
    workspace,
    prefix,
    redis,
    get server() {
      return server;
    },
    get child() {
      return child;
    },
    childOutput: () => childOutput,
    env,
    async api(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${baseUrl}${path}`, init);
      const text = await res.text();
      let json: unknown = text;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: left as text for the assertion to show
      }
      return { status: res.status, headers: res.headers, json: json as never };
    },
    async submit(body) {
      const reply = await stack.api<{ runId: string; turnId: string; threadId: string; streamUrl: string }>(
        'POST',
        '/api/v2/submit',
        body,
      );
      if (reply.status !== 202)
        throw new Error(`submit answered ${reply.status}: ${JSON.stringify(reply.json)}`);
      return reply.json;
    },
    readStream(runId, readOptions = {}) {
      return readSse(
        `${baseUrl}/api/v2/stream/${runId}${readOptions.from ? `?from=${readOptions.from}` : ''}`,
        readOptions,
      );
    },
    async waitForRun(runId, done = (r) => isTerminal(r.status), timeoutMs = 300_000) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      while (Date.now() < deadline) {
        const reply = await stack.api<Response>('GET', `/api/v2/runs/${runId}`);
        last = reply.json;
        if (reply.status === 200 && done(reply.json)) return reply.json;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(
        `run ${runId} did not reach the expected state; last snapshot: ${JSON.stringify(last)?.slice(0, 500)}`,
      );
    },
    async restartChild(signal = 'SIGKILL') {
      if (!child) throw new Error('not a child-process stack');
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill(signal);
      await exited;
      baseUrl = await startChild();
    },
    async close() {
      await server?.close();
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child?.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await llm.close();
      await deleteKeys(redis, prefix);
      redis.disconnect();
      rmSync(workspace, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Reads an SSE response with a real HTTP client until the server ends it. */
export async function readSse(url: string, options: ReadStreamOptions = {}): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
  if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
  const res = await fetch(url, { headers, signal: controller.signal });
  if (res.status !== 200)
    throw Object.assign(new Error(`stream answered ${res.status}: ${await res.text()}`), {
      status: res.status,
    });
  const parser = createParser({
    onEvent(event) {
      const message = { id: event.id, event: event.event, data: event.data };
      messages.push(message);
      options.onMessage?.(message);
      if (options.stopAfter !== undefined && messages.length >= options.stopAfter) controller.abort();
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return messages;
}

/** Stream messages without heartbeats. */
export const withoutHeartbeats = (messages: SseMessage[]) => messages.filter((m) => m.event !== 'heartbeat');

/** Feeds SSE messages through the client hydrator, as the web app does. */
export function hydrate(messages: SseMessage[]): Response | undefined {
  const hydrator = createHydrator();
  for (const message of messages) hydrator.push(message);
  return hydrator.getSnapshot().response;
}

export const events = (messages: SseMessage[]): StreamEvent[] =>
  withoutHeartbeats(messages).map((m) => JSON.parse(m.data) as StreamEvent);

async function waitForListening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /Cody is running: (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        child.stdout?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (data: Buffer) => {
      output += data.toString();
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${output}`)));
  });
}

/** Removes every key under a prefix (a test's own, so SCAN is fine here). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
