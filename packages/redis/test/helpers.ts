import { randomUUID } from 'node:crypto';
import type { StreamEvent, StreamPayload } from '@cody/schema';
import type { Redis } from 'ioredis';
import {
  createRedisKeys,
  createStreamEvent,
  isClusterClient,
  type RedisClient,
  type RedisKeys,
  resolveRedisTopology,
} from '../src/index';
import { keysBySlot } from '../src/keys-by-slot';

/**
 * The Redis the suite runs on, from the environment like a server's: `REDIS_URL` (default the
 * single node on 127.0.0.1:6379) or `REDIS_CLUSTER_NODES` (`pnpm test:cluster` sets it).
 */
export const REDIS_TOPOLOGY = resolveRedisTopology(process.env);
export const ON_CLUSTER = REDIS_TOPOLOGY.kind === 'cluster';

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
export async function deleteRunKeys(
  redis: RedisClient,
  prefix: string,
  runIds: Iterable<string>,
  keys: RedisKeys = createRedisKeys(prefix),
): Promise<void> {
  const all = [keys.announce, keys.toolRequests, ...keys.announceStreams, ...keys.toolRequestStreams];
  for (const runId of runIds) all.push(...keys.runExpiring(runId), keys.runLease(runId));
  // one DEL per slot: a cluster refuses a DEL across slots
  for (const group of keysBySlot(all)) {
    for (let i = 0; i < group.length; i += 500) await redis.del(...group.slice(i, i + 500));
  }
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

/** One line of CLIENT LIST and the node connection it came from (on a cluster: from every master). */
export interface ClientLine {
  node: Redis;
  line: string;
  id: string;
}

/** CLIENT LIST of the single node, or of every master of a cluster (where blocking readers sit). */
export async function clientList(admin: RedisClient): Promise<ClientLine[]> {
  const nodes = isClusterClient(admin) ? admin.nodes('master') : [admin];
  const lists = await Promise.all(
    nodes.map(async (node) => ({ node, list: String(await node.client('LIST')) })),
  );
  return lists.flatMap(({ node, list }) =>
    list
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => ({ node, line, id: /(?:^| )id=(\d+)/.exec(line)?.[1] ?? '' })),
  );
}

/** CLIENT KILL of every listed client whose line matches; how many were killed. */
export async function killClients(admin: RedisClient, matches: (line: string) => boolean): Promise<number> {
  let kills = 0;
  for (const { node, line, id } of await clientList(admin)) {
    if (id !== '' && matches(line)) kills += Number(await node.client('KILL', 'ID', id));
  }
  return kills;
}
