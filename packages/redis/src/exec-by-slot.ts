import type { ChainableCommander } from 'ioredis';
import { keySlot } from './keys-by-slot';
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
  const groups = new Map<number, number[]>();
  commands.forEach((command, index) => {
    const slot = isClusterClient(redis) ? keySlot(command.key) : 0;
    const group = groups.get(slot);
    if (group) group.push(index);
    else groups.set(slot, [index]);
  });
  const replies: [Error | null, unknown][] = new Array(commands.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const pipeline = redis.pipeline();
      for (const index of indexes) (commands[index] as SlotCommand).add(pipeline);
      const results = (await pipeline.exec()) ?? [];
      indexes.forEach((index, position) => {
        replies[index] = results[position] ?? [null, undefined];
      });
    }),
  );
  return replies;
}
