import type { ChainableCommander } from 'ioredis';
import { groupBySlot } from './keys-by-slot';
import { isClusterClient, type RedisClient } from './redis-client';

export interface SlotCommand {
  /** The key the command touches (its slot decides the pipeline). */
  key: string;
  add(pipeline: ChainableCommander): void;
}

/**
 * Pipelines single-key commands: one pipeline on a single node; on a cluster one per slot (a
 * cluster pipeline may not span slots), sent together. Replies come back in `commands` order.
 */
export async function execBySlot(
  redis: RedisClient,
  commands: readonly SlotCommand[],
): Promise<[Error | null, unknown][]> {
  if (commands.length === 0) return [];
  const indexes = commands.map((_, index) => index);
  const groups = isClusterClient(redis)
    ? groupBySlot(indexes, (index) => (commands[index] as SlotCommand).key)
    : [indexes];
  const replies: [Error | null, unknown][] = new Array(commands.length);
  await Promise.all(
    groups.map(async (group) => {
      const pipeline = redis.pipeline();
      for (const index of group) (commands[index] as SlotCommand).add(pipeline);
      const results = (await pipeline.exec()) ?? [];
      group.forEach((index, position) => {
        replies[index] = results[position] ?? [null, undefined];
      });
    }),
  );
  return replies;
}
