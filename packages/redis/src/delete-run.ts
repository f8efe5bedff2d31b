import type { RedisKeys } from './create-redis-keys';
import { RedisCommandError } from './errors/redis-command-error';
import type { RedisClient } from './redis-client';

/**
 * Deletes a run's keys now (events, lease, cancel flag, call registry) instead of letting them
 * expire, and leaves a small `deleted` marker for `ttlSeconds` so that nothing recreates the run
 * meanwhile (a late watchdog, a stream route). One MULTI: readers see all of it or none.
 */
export async function deleteRun(
  redis: RedisClient,
  keys: RedisKeys,
  runId: string,
  ttlSeconds: number,
): Promise<void> {
  const transaction = redis.multi();
  transaction.set(keys.runDeleted(runId), '1', 'EX', Math.max(1, Math.floor(ttlSeconds)));
  transaction.del(keys.runEvents(runId), keys.runLease(runId), keys.runCancel(runId), keys.runCalls(runId));
  try {
    await transaction.exec();
  } catch (error) {
    throw new RedisCommandError('DEL run', error);
  }
}

/** Whether the run was deleted (its marker is still there). */
export async function isRunDeleted(redis: RedisClient, keys: RedisKeys, runId: string): Promise<boolean> {
  try {
    return (await redis.exists(keys.runDeleted(runId))) === 1;
  } catch (error) {
    throw new RedisCommandError('EXISTS deleted', error);
  }
}

/** Remembers that `runId` belongs to `threadId`, for `threadRunIds` (kept `ttlSeconds` after the last run). */
export async function trackThreadRun(
  redis: RedisClient,
  keys: RedisKeys,
  threadId: string,
  runId: string,
  ttlSeconds: number,
): Promise<void> {
  try {
    await redis
      .multi()
      .sadd(keys.threadRuns(threadId), runId)
      .expire(keys.threadRuns(threadId), Math.max(1, Math.floor(ttlSeconds)))
      .exec();
  } catch (error) {
    throw new RedisCommandError('SADD thread runs', error);
  }
}

/** The runs started in a thread (as far as `trackThreadRun` recorded them). */
export async function threadRunIds(redis: RedisClient, keys: RedisKeys, threadId: string): Promise<string[]> {
  try {
    return await redis.smembers(keys.threadRuns(threadId));
  } catch (error) {
    throw new RedisCommandError('SMEMBERS thread runs', error);
  }
}
