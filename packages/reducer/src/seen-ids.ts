/**
 * The event ids a state has applied, shared between successive states without copying.
 * The map is append-only and remembers each id's position; a state sees the first `count`
 * entries. Extending an older state (a branch) copies once, so reduction stays linear.
 */
export interface SeenIds {
  readonly map: Map<string, number>;
  readonly count: number;
}

export const emptySeenIds = (): SeenIds => ({ map: new Map(), count: 0 });

export function hasSeen(seen: SeenIds, id: string): boolean {
  const position = seen.map.get(id);
  return position !== undefined && position < seen.count;
}

export function withSeen(seen: SeenIds, id: string): SeenIds {
  if (seen.map.size === seen.count) {
    seen.map.set(id, seen.count);
    return { map: seen.map, count: seen.count + 1 };
  }
  const map = new Map<string, number>();
  for (const [key, position] of seen.map) {
    if (position >= seen.count) break;
    map.set(key, position);
  }
  map.set(id, seen.count);
  return { map, count: seen.count + 1 };
}
