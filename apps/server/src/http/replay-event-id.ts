import { createHash } from 'node:crypto';

/**
 * The event id of the `index`-th event replayed from a finished run's snapshot: a name-based
 * UUID (version 5 layout) of the run id and the position, so every replay of a run carries the
 * same ids and a client that gets part of it twice (a resume) recognises the copies.
 */
export function replayEventId(runId: string, index: number): string {
  const hash = createHash('sha1').update(`cody-replay:${runId}:${index}`).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
