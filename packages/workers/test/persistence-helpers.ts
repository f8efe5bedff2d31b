import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from '@cody/redis';
import { createRedisKeys, createStreamEvent, type Logger, type RedisTransport } from '@cody/redis';
import { reduceEvents } from '@cody/reducer';
import type { StreamEvent, StreamPayload } from '@cody/schema';
import { RedisStore, type Store, type StoredRun } from '@cody/store';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A key prefix no other suite (or a second run of this one) shares. */
export function uniquePrefix(suite: string): string {
  return `test:${suite}:${randomUUID().slice(0, 8)}:`;
}

/** Logs warnings and errors to stderr so a failing test shows what the worker saw. */
export const testLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (obj, msg) => process.env.CODY_TEST_VERBOSE && console.warn(msg, obj),
  error: (obj, msg) => console.error(msg, obj),
};

/** Canonical events of one run, built the way a driver would. */
export class RunBuilder {
  readonly runId = randomUUID();
  readonly turnId = randomUUID();

  constructor(readonly threadId: string) {}

  event(payload: StreamPayload): StreamEvent {
    return createStreamEvent(this.runId, payload);
  }

  start(): StreamEvent {
    return this.event({
      type: 'response_start',
      response_id: this.runId,
      turn_id: this.turnId,
      thread_id: this.threadId,
      model_id: 'test-model',
      provider_id: 'openai',
      created_at: Date.now(),
    });
  }

  /** The user's prompt as a complete `message` item. */
  prompt(text: string): StreamEvent[] {
    const itemId = randomUUID();
    return [
      this.event({ type: 'item_start', item_id: itemId, item_type: 'message', origin: 'user' }),
      this.event({
        type: 'item_done',
        item_id: itemId,
        final_item: { id: itemId, type: 'message', origin: 'user', content: text },
      }),
    ];
  }

  messageStart(itemId: string): StreamEvent {
    return this.event({ type: 'item_start', item_id: itemId, item_type: 'message', origin: 'agent' });
  }

  delta(itemId: string, text: string): StreamEvent {
    return this.event({ type: 'item_delta', item_id: itemId, delta_content: text });
  }

  messageDone(itemId: string, content: string): StreamEvent {
    return this.event({
      type: 'item_done',
      item_id: itemId,
      final_item: { id: itemId, type: 'message', origin: 'agent', content },
    });
  }

  done(): StreamEvent {
    return this.event({
      type: 'response_done',
      response_id: this.runId,
      status: 'complete',
      finish_reason: 'stop',
    });
  }

  /** The opening events a driver publishes before announcing the run. */
  opening(prompt = 'hello'): StreamEvent[] {
    return [this.start(), ...this.prompt(prompt)];
  }

  /** One agent message streamed as `parts`, then the terminal event. */
  answer(parts: readonly string[], itemId: string = randomUUID()): StreamEvent[] {
    return [
      this.messageStart(itemId),
      ...parts.map((part) => this.delta(itemId, part)),
      this.messageDone(itemId, parts.join('')),
      this.done(),
    ];
  }
}

export interface DriveOptions {
  /** Hold a lease like a real driver (renewed by a keeper); default true. */
  lease?: boolean;
  /** Pause between events of the answer (ms); default none. */
  delayMs?: number;
  /** Publish through a pipeline (flat out) instead of one awaited XADD per event. */
  pipeline?: boolean;
}

/** Plays a driver: lease, opening events, announce, the rest, release. Returns the events published. */
export async function driveRun(
  transport: RedisTransport,
  run: RunBuilder,
  answer: StreamEvent[],
  options: DriveOptions = {},
): Promise<StreamEvent[]> {
  const owner = `driver-${randomUUID().slice(0, 8)}`;
  const leased = options.lease !== false;
  if (leased) await transport.leases.acquire(run.runId, owner);
  const keeper = leased ? transport.keepLease(run.runId, owner) : undefined;
  const opening = run.opening();
  for (const event of opening) await transport.publish(event);
  await transport.announceRun(run.runId);
  if (options.pipeline) {
    await publishPipelined(transport, answer);
  } else {
    for (const event of answer) {
      await transport.publish(event);
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    }
  }
  await keeper?.stop();
  return [...opening, ...answer];
}

/** XADDs events through pipelines of 500 (what a fast producer does); order is kept. */
export async function publishPipelined(
  transport: RedisTransport,
  events: readonly StreamEvent[],
): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    const pipeline = transport.redis.pipeline();
    for (const event of events.slice(i, i + 500)) {
      pipeline.xadd(transport.keys.runEvents(event.run_id), '*', 'e', JSON.stringify(event));
    }
    await pipeline.exec();
  }
}

/** The reference: the Response the run's whole stream reduces to, and its last entry id. */
export async function reduceStream(transport: RedisTransport, runId: string) {
  const entries = await transport.readRange(runId);
  return { response: reduceEvents(entries.map((entry) => entry.event)), lastId: entries.at(-1)?.id ?? null };
}

export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 300_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until every run has a terminal snapshot in the store. */
export async function waitForTerminal(
  store: Store,
  runIds: readonly string[],
  timeoutMs = 300_000,
): Promise<void> {
  await waitFor(
    async () => {
      const runs = await Promise.all(runIds.map((id) => store.getRun(id)));
      return runs.every(
        (run) => run !== null && run.response.status !== 'in_progress' && run.response.status !== 'queued',
      );
    },
    timeoutMs,
    'terminal snapshots for every run',
  );
}

export function redisStore(redis: RedisClient, prefix: string): RedisStore {
  return new RedisStore({ redis, prefix });
}

/** Removes what a suite left: its threads (and their runs) from the store, and the transport keys. */
export async function cleanup(
  redis: RedisClient,
  store: Store,
  prefix: string,
  threadIds: Iterable<string>,
  runIds: Iterable<string>,
): Promise<void> {
  for (const threadId of threadIds) await store.deleteThread(threadId).catch(() => {});
  const keys = createRedisKeys(prefix);
  const all = [keys.announce, keys.toolRequests];
  for (const runId of runIds)
    all.push(...keys.runExpiring(runId), keys.runLease(runId), `${prefix}run:{${runId}}:snapshot`);
  for (let i = 0; i < all.length; i += 500) await redis.del(...all.slice(i, i + 500));
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Lines the worker logged (JSON objects). */
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
}

/** Starts `src/bin/worker.ts` as a child process and resolves once it logged that it is ready (info level). */
export async function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=@cody/source', '--import', 'tsx', 'src/bin/worker.ts'],
    {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let buffer = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        try {
          const record = JSON.parse(line) as Record<string, unknown>;
          logs.push(record);
          if (record.msg === 'cody worker ready') resolve();
        } catch {
          // not a log line
        }
      }
    });
    void exited.then((code) => reject(new Error(`worker exited (${code}) before it was ready: ${stderr}`)));
  });
  await ready;
  return { child, pid: child.pid as number, logs, exited };
}

/** The text of a stored run's `index`th item, which must be a message. */
export function messageText(run: StoredRun | null | undefined, index: number): string {
  const item = run?.response.output_items[index];
  if (item?.type !== 'message') throw new Error(`item ${index} of run ${run?.response.id} is not a message`);
  return item.content;
}
