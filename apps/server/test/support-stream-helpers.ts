// Helpers of the streaming, SSE-hygiene and crash suites (TC-ST, TC-CR): stream ground truth
// read straight from Redis, polling, standalone worker children, and a private redis-server.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedisKeys, decodeStreamEntries, type RawStreamEntry, type StreamEntry } from '@cody/redis';
import type { Response } from '@cody/schema';
import { createParser } from 'eventsource-parser';
import type { Redis } from 'ioredis';
import { freePort, isTerminal, type SseMessage, type Stack } from './harness';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const workersDir = join(repoRoot, 'packages', 'workers');

/** Every entry of a run's stream as Redis holds it: the ground truth SSE is compared with. */
export async function streamEntries(redis: Redis, prefix: string, runId: string): Promise<StreamEntry[]> {
  const raw = (await redis.xrange(createRedisKeys(prefix).runEvents(runId), '-', '+')) as RawStreamEntry[];
  return decodeStreamEntries(raw);
}

export interface SseReadOptions {
  lastEventId?: string;
  from?: string;
  /** Drop the connection once this many entry-carrying messages (with an id) arrived. */
  dropAfter?: number;
  /** Drop the connection when this aborts. */
  signal?: AbortSignal;
  onMessage?: (message: SseMessage) => void;
}

/**
 * Reads a run's SSE like a browser would, and can drop the connection mid-stream. It stops by
 * cancelling the body reader, not by aborting the fetch alone: with Node 20's undici 6, an abort
 * that lands after the body completed but before the stream closed leaves the body iterator
 * pending forever (nodejs/undici#4089), which would hang the test instead of the server.
 */
export async function readSseStream(
  baseUrl: string,
  runId: string,
  options: SseReadOptions = {},
): Promise<SseMessage[]> {
  const query = options.from === undefined ? '' : `?from=${encodeURIComponent(options.from)}`;
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/v2/stream/${runId}${query}`, {
    headers,
    signal: controller.signal,
  });
  if (res.status !== 200 || !res.body) {
    throw Object.assign(new Error(`stream answered ${res.status}: ${await res.text()}`), {
      status: res.status,
    });
  }
  const reader = res.body.getReader();
  const messages: SseMessage[] = [];
  let entries = 0;
  let stopped = false;
  const stop = () => {
    stopped = true;
    void reader.cancel().catch(() => {});
    controller.abort();
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stop();
  const parser = createParser({
    onEvent(event) {
      if (stopped) return;
      const message = { id: event.id, event: event.event, data: event.data };
      messages.push(message);
      options.onMessage?.(message);
      if (message.id !== undefined && options.dropAfter !== undefined && ++entries >= options.dropAfter)
        stop();
    },
  });
  const decoder = new TextDecoder();
  try {
    while (!stopped) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch (error) {
    if (!stopped) throw error;
  } finally {
    options.signal?.removeEventListener('abort', stop);
    if (!stopped) void reader.cancel().catch(() => {});
  }
  return messages;
}

/** Polls `probe` until it returns something other than undefined/false. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 300_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

/** The SSE messages that carry a stream entry (heartbeats have no id). */
export const withIds = (messages: readonly SseMessage[]) => messages.filter((m) => m.id !== undefined);

/** `[id, event_id]` of each entry-carrying message, for exact sequence comparisons. */
export const idPairs = (messages: readonly SseMessage[]) =>
  withIds(messages).map((m) => [m.id, (JSON.parse(m.data) as { event_id: string }).event_id]);

export const entryPairs = (entries: readonly StreamEntry[]) => entries.map((e) => [e.id, e.event.event_id]);

/** GET /runs/:id until its status is terminal; the snapshot. */
export function waitForTerminalRun(stack: Stack, runId: string, timeoutMs = 300_000): Promise<Response> {
  return stack.waitForRun(runId, (r) => isTerminal(r.status), timeoutMs);
}

/** Whether a process (by pid) still exists (a zombie counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // a zombie waits for its parent to reap it: it runs nothing any more
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Redis CLIENT LIST as records, optionally only the connections whose name passes `keep`. */
export async function clientList(
  redis: Redis,
  keep: (name: string) => boolean = () => true,
): Promise<Record<string, string>[]> {
  const text = (await redis.client('LIST')) as string;
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) =>
      Object.fromEntries(
        line
          .trim()
          .split(' ')
          .map((pair) => {
            const at = pair.indexOf('=');
            return [pair.slice(0, at), pair.slice(at + 1)];
          }),
      ),
    )
    .filter((record) => keep(record.name ?? ''));
}

export interface WorkerChild {
  child: ChildProcess;
  pid: number;
  /** Its persistence worker's consumer name in the announce group. */
  consumer: string;
  /** Whether a consumer name (of either group) is this process's (names carry the pid). */
  owns(consumer: string): boolean;
  output(): string;
  /** SIGKILL, resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a clean stop), resolves once the process is gone. */
  stop(): Promise<void>;
}

/**
 * Starts the standalone worker (packages/workers/src/bin/worker.ts: the persistence worker and
 * the tool worker) as a deployment would, configured by the environment; resolves once it
 * logged that it is ready.
 */
export async function startWorkerChild(env: Record<string, string>): Promise<WorkerChild> {
  const child = spawn(
    process.execPath,
    ['--conditions=@cody/source', '--import', 'tsx', 'src/bin/worker.ts'],
    {
      cwd: workersDir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const consumer = await new Promise<string>((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data.toString();
      for (const line of output.split('\n')) {
        if (!line.includes('cody worker ready')) continue;
        try {
          resolve(String((JSON.parse(line) as { consumer: string }).consumer));
        } catch {
          // a partial line: wait for the rest
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (data: Buffer) => {
      output += data.toString();
    });
    child.once('exit', (code) =>
      reject(new Error(`worker exited (${code}) before it was ready:\n${output}`)),
    );
  });
  const gone = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    child,
    pid: child.pid as number,
    consumer,
    owns: (name) => name.includes(`:${child.pid}:`),
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gone;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await gone;
    },
  };
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** Stops redis-server (SIGKILL, so nothing is saved) and starts it again on the same port. */
  restart(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A redis-server of the test's own on a free port. Without persistence (`--save ''
 * --appendonly no`, the default) a restart loses everything, like a cache node being replaced;
 * with `persistent` every write is in the append-only file first (`appendfsync always`), so a
 * SIGKILL and restart loses nothing.
 */
export async function startPrivateRedis(options: { persistent?: boolean } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cody-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    const persistence = options.persistent
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      ...persistence,
      '--daemonize',
      'no',
      '--dir',
      dir,
    ];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      proc.stdout?.on('data', (data: Buffer) => {
        output += data.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
    });
  };
  const kill = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart(options = {}) {
      await kill();
      if (options.downMs) await new Promise((resolve) => setTimeout(resolve, options.downMs));
      await start();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const TERMINAL_EVENTS = new Set(['response_done', 'response_error', 'turn_aborted_by_user']);

export interface FollowResult {
  /** Every entry-carrying message received, in order, over all connections. */
  messages: SseMessage[];
  /** Connections opened after the first. */
  reconnects: number;
  /** `terminal`: the stream ended after its terminal event; `not_found`: a reconnect got 404. */
  end: 'terminal' | 'not_found';
}

/**
 * Follows a run as a browser's EventSource does: when the server ends the stream before the
 * terminal event, it reconnects with Last-Event-ID (after `retryMs`); a 404 ends it.
 */
export async function followLikeEventSource(
  baseUrl: string,
  runId: string,
  options: { retryMs?: number; timeoutMs?: number } = {},
): Promise<FollowResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const messages: SseMessage[] = [];
  let reconnects = -1;
  while (Date.now() < deadline) {
    reconnects++;
    const lastEventId = messages.at(-1)?.id;
    try {
      // a stream that never ends (heartbeats only) is dropped at the deadline
      const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
      const received = await readSseStream(
        baseUrl,
        runId,
        lastEventId === undefined ? { signal } : { lastEventId, signal },
      );
      messages.push(...withIds(received));
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404) return { messages, reconnects, end: 'not_found' };
      // the server could not be reached (it may be restarting): try again
    }
    if (TERMINAL_EVENTS.has(messages.at(-1)?.event ?? '')) return { messages, reconnects, end: 'terminal' };
    await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 200));
  }
  throw new Error(
    `run ${runId}: no terminal event within the time allowed (${messages.length} events, ${reconnects} reconnects)`,
  );
}
