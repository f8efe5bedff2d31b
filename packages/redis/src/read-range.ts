import type { RedisKeys } from './create-redis-keys';
import { decodeStreamEntries, type RawStreamEntry, type StreamEntry } from './decode-stream-entries';
import { RedisCommandError } from './errors/redis-command-error';
import type { RedisClient } from './redis-client';

export interface ReadRangeOptions {
  /** Only entries after this id (exclusive); from the start when absent or `0-0`. */
  after?: string;
  /** Only entries up to this id (inclusive); to the end when absent. */
  until?: string;
  /** At most this many entries; all of them when absent (read in pages). */
  count?: number;
}

const PAGE = 1000;

/** Reads a run's stream with XRANGE, in order, paging so a 10 MiB run is not one reply. */
export async function readRange(
  redis: RedisClient,
  keys: RedisKeys,
  runId: string,
  options: ReadRangeOptions = {},
): Promise<StreamEntry[]> {
  const key = keys.runEvents(runId);
  const end = options.until ?? '+';
  const limit = options.count ?? Number.POSITIVE_INFINITY;
  const result: StreamEntry[] = [];
  let after = options.after && options.after !== '0-0' ? options.after : undefined;
  while (result.length < limit) {
    const want = Math.min(PAGE, limit - result.length);
    let raw: RawStreamEntry[];
    try {
      raw = (await redis.xrange(
        key,
        after === undefined ? '-' : `(${after}`,
        end,
        'COUNT',
        want,
      )) as RawStreamEntry[];
    } catch (error) {
      throw new RedisCommandError('XRANGE', error);
    }
    for (const entry of decodeStreamEntries(raw)) result.push(entry);
    const last = raw.at(-1);
    if (raw.length < want || last === undefined) break;
    after = last[0];
  }
  return result;
}
