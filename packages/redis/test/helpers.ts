import { randomUUID } from 'node:crypto';
import type { StreamEvent, StreamPayload } from '@cody/schema';
import type { Redis } from 'ioredis';
import { createRedisKeys, createStreamEvent, type RedisKeys } from '../src/index';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other suite (or a second run of this one) shares. */
export function uniquePrefix(suite: string): string {
  return `test:${suite}:${randomUUID().slice(0, 8)}:`;
}

/** Canonical events of one run, built the way a driver would (a start, items, a terminal). */
export class RunBuilder {
  readonly runId = randomUUID();
  readonly threadId: string;
  readonly turnId = randomUUID();

  constructor(threadId: string = randomUUID()) {
    this.threadId = threadId;
  }

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

  messageStart(itemId: string, origin: 'user' | 'agent' = 'agent'): StreamEvent {
    return this.event({ type: 'item_start', item_id: itemId, item_type: 'message', origin });
  }

  delta(itemId: string, text: string): StreamEvent {
    return this.event({ type: 'item_delta', item_id: itemId, delta_content: text });
  }

  messageDone(itemId: string, content: string, origin: 'user' | 'agent' = 'agent'): StreamEvent {
    return this.event({
      type: 'item_done',
      item_id: itemId,
      final_item: { id: itemId, type: 'message', origin, content },
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

  /** A whole run: start, one agent message streamed as `parts`, done. */
  messageRun(parts: readonly string[]): StreamEvent[] {
    const itemId = randomUUID();
    return [
      this.start(),
      this.messageStart(itemId),
      ...parts.map((part) => this.delta(itemId, part)),
      this.messageDone(itemId, parts.join('')),
      this.done(),
    ];
  }
}

/** Deletes every key the given runs (and the shared streams) may have left under `prefix`. */
export async function deleteRunKeys(redis: Redis, prefix: string, runIds: Iterable<string>): Promise<void> {
  const keys: RedisKeys = createRedisKeys(prefix);
  const all = [keys.announce, keys.toolRequests];
  for (const runId of runIds) all.push(...keys.runExpiring(runId), keys.runLease(runId));
  for (let i = 0; i < all.length; i += 500) await redis.del(...all.slice(i, i + 500));
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
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
