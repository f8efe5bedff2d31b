import { randomInt, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { RedisClient } from '@cody/redis';
import { createRedisKeys, type RedisTransport } from '@cody/redis';
import type { FunctionCallOutputItem, OutputItem, StreamEvent } from '@cody/schema';
import { type ExecSandboxSettings, prepareExecSandbox } from '@cody/tools';
import { enqueueToolRequest, recordCallStart } from '../src/tool-worker/index';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// The worker suites test the worker, not the sandbox: they run exec in bubblewrap where the
// machine has it and unconfined (CODY_EXEC_SANDBOX=off, as a person would set) where not.
const probed = await prepareExecSandbox();
if (probed.kind === 'unavailable')
  console.warn(`tool worker tests run exec unconfined: no sandbox here (${probed.reason})`);
export const sandboxSettings: Partial<ExecSandboxSettings> = probed.kind === 'bwrap' ? {} : { mode: 'off' };
export const sandboxEnv: Record<string, string> = probed.kind === 'bwrap' ? {} : { CODY_EXEC_SANDBOX: 'off' };

/** A `sleep` duration no other process uses: its digits find the process in the host's /proc. */
export function uniqueSleep(): string {
  return `${1000 + randomInt(1000)}.${randomInt(1_000_000, 9_999_999)}`;
}

/**
 * Live host processes whose command line holds `marker` (and starts with `program`, if given);
 * zombies count as dead. Host-side, so sandboxed processes show whatever their inner PID.
 */
export function processesWith(marker: string, program?: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes(marker)) continue;
      if (program !== undefined && !cmdline.startsWith(`${program}\0`)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') found.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** A key prefix no other suite (or a second run of this one) shares. */
export function uniquePrefix(suite: string): string {
  return `test:${suite}:${randomUUID().slice(0, 8)}:`;
}

/** A run as a driver would make it: a started stream, then function calls queued for the tool workers. */
export class ToolRun {
  readonly runId = randomUUID();

  constructor(private readonly transport: RedisTransport) {}

  async start(): Promise<this> {
    await this.transport.emit(this.runId, {
      type: 'response_start',
      response_id: this.runId,
      turn_id: randomUUID(),
      thread_id: randomUUID(),
      model_id: 'test-model',
      provider_id: 'openai',
      created_at: Date.now(),
    });
    return this;
  }

  /** Publishes the model's function_call item and queues its execution; returns the call id. */
  async call(
    name: string,
    args: unknown,
    options: { callId?: string; trace?: { traceparent: string }; startedBy?: string } = {},
  ) {
    const callId = options.callId ?? `call_${randomUUID().slice(0, 12)}`;
    const itemId = randomUUID();
    const argumentsText = typeof args === 'string' ? args : JSON.stringify(args);
    await this.transport.emit(this.runId, {
      type: 'item_start',
      item_id: itemId,
      item_type: 'function_call',
      name,
      call_id: callId,
    });
    await this.transport.emit(this.runId, {
      type: 'item_done',
      item_id: itemId,
      final_item: {
        id: itemId,
        type: 'function_call',
        origin: 'agent',
        name,
        arguments: argumentsText,
        call_id: callId,
      },
    });
    // as if a worker had started it and died before answering
    if (options.startedBy)
      await recordCallStart(this.transport.redis, this.transport.keys, this.runId, callId, {
        consumer: options.startedBy,
        attempt: 1,
      });
    await enqueueToolRequest(this.transport, {
      runId: this.runId,
      itemId,
      callId,
      name,
      arguments: argumentsText,
      ...(options.trace ? { trace: options.trace } : {}),
    });
    return callId;
  }

  async events(): Promise<StreamEvent[]> {
    return (await this.transport.readRange(this.runId)).map((entry) => entry.event);
  }

  /** Every finished item of a type in the stream, in order. */
  async items<T extends OutputItem['type']>(type: T): Promise<Extract<OutputItem, { type: T }>[]> {
    const items: Extract<OutputItem, { type: T }>[] = [];
    for (const event of await this.events()) {
      if (event.payload.type === 'item_done' && event.payload.final_item.type === type) {
        items.push(event.payload.final_item as Extract<OutputItem, { type: T }>);
      }
    }
    return items;
  }

  /** Waits for the function_call_output answering `callId`. */
  async output(callId: string, timeoutMs = 300_000): Promise<FunctionCallOutputItem> {
    return eventually(
      async () => (await this.items('function_call_output')).find((item) => item.call_id === callId),
      timeoutMs,
    );
  }
}

/** Polls `check` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 300_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Deletes the keys the runs and the request stream left under `prefix`. */
export async function deleteToolKeys(
  redis: RedisClient,
  prefix: string,
  runIds: Iterable<string>,
): Promise<void> {
  const keys = createRedisKeys(prefix);
  const all = [keys.toolRequests, keys.announce];
  for (const runId of runIds) all.push(...keys.runExpiring(runId), keys.runLease(runId));
  await redis.del(...all);
}
