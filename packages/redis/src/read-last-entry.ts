import type { RedisKeys } from './create-redis-keys';
import { decodeStreamEntries, type RawStreamEntry, type StreamEntry } from './decode-stream-entries';
import { RedisCommandError } from './errors/redis-command-error';
import type { RedisClient } from './redis-client';

/** The last entry of a run's stream (XREVRANGE COUNT 1), or undefined when it is empty or gone. */
export async function readLastEntry(
  redis: RedisClient,
  keys: RedisKeys,
  runId: string,
): Promise<StreamEntry | undefined> {
  try {
    const raw = (await redis.xrevrange(keys.runEvents(runId), '+', '-', 'COUNT', 1)) as RawStreamEntry[];
    return decodeStreamEntries(raw)[0];
  } catch (error) {
    throw new RedisCommandError('XREVRANGE', error);
  }
}
