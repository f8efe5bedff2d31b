/// <reference path="./cluster-key-slot.d.ts" />
import calculateSlot from 'cluster-key-slot';

/** The Redis Cluster slot of a key (its `{hash tag}` when it has one). */
export function keySlot(key: string): number {
  return calculateSlot(key);
}

/** `items` grouped by the slot of `keyOf(item)`, each group in the given order. */
export function groupBySlot<T>(items: Iterable<T>, keyOf: (item: T) => string): T[][] {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const slot = keySlot(keyOf(item));
    const group = groups.get(slot);
    if (group) group.push(item);
    else groups.set(slot, [item]);
  }
  return [...groups.values()];
}

/** `keys` grouped by slot, each group in the given order: one multi-key command per group stays legal on a cluster. */
export function keysBySlot(keys: Iterable<string>): string[][] {
  return groupBySlot(keys, (key) => key);
}
