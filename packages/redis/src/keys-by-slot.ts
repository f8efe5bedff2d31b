/// <reference path="./cluster-key-slot.d.ts" />
import calculateSlot from 'cluster-key-slot';

/** The Redis Cluster slot of a key (its `{hash tag}` when it has one). */
export function keySlot(key: string): number {
  return calculateSlot(key);
}

/** `keys` grouped by slot, each group in the given order: one multi-key command per group stays legal on a cluster. */
export function keysBySlot(keys: Iterable<string>): string[][] {
  const groups = new Map<number, string[]>();
  for (const key of keys) {
    const slot = keySlot(key);
    let group = groups.get(slot);
    if (group === undefined) {
      group = [];
      groups.set(slot, group);
    }
    group.push(key);
  }
  return [...groups.values()];
}
