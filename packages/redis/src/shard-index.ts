/** A stable shard number in [0, count) for an id (a run id): every process computes the same one. */
export function shardIndex(id: string, count: number): number {
  if (count <= 1) return 0;
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) | 0;
  return Math.abs(hash) % count;
}
