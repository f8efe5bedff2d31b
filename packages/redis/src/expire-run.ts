import type { RedisKeys } from './create-redis-keys';
import { RedisCommandError } from './errors/redis-command-error';
import type { RedisClient } from './redis-client';

/**
 * Gives a finished run's keys (events, cancel flag, call registry) a TTL, so memory returns
 * to baseline. Call it only once the terminal snapshot is stored. The lease is left alone:
 * it has its own short PX, which a longer EXPIRE would replace.
 */
export async function expireRun(
  redis: RedisClient,
  keys: RedisKeys,
  runId: string,
  ttlSeconds: number,
): Promise<void> {
  const ttl = Math.max(1, Math.floor(ttlSeconds));
  const transaction = redis.multi();
  for (const key of keys.runExpiring(runId)) transaction.expire(key, ttl);
  try {
    await transaction.exec();
  } catch (error) {
    throw new RedisCommandError('EXPIRE run', error);
  }
}
