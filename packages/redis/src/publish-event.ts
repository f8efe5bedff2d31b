import { parseStreamEvent } from '@cody/schema';
import type { RedisKeys } from './create-redis-keys';
import { RedisCommandError } from './errors/redis-command-error';
import type { RedisClient } from './redis-client';

/**
 * Validates `input` as a StreamEvent and appends it to its run's stream (field `e`), returning
 * the entry id. An invalid event throws a ValidationError (code INVALID_EVENT) naming the
 * failing field, and nothing is written. Never trims: a live run keeps every entry.
 */
export async function publishEvent(redis: RedisClient, keys: RedisKeys, input: unknown): Promise<string> {
  const event = parseStreamEvent(input);
  try {
    return (await redis.xadd(keys.runEvents(event.run_id), '*', 'e', JSON.stringify(event))) as string;
  } catch (error) {
    throw new RedisCommandError('XADD', error);
  }
}
