import type { RedisKeys } from './create-redis-keys';
import { RedisCommandError } from './errors/redis-command-error';
import type { RedisClient } from './redis-client';

/**
 * Announces a new run to the persistence workers (one entry on the run's shard of `<p>runs:announce` (`keys.announceStream`), field
 * `run`). Call it after the run's first events are in its stream and its lease is set: the
 * entry then records `lease=1`, which tells the watchdog the run has an owner to watch.
 */
export async function announceRun(redis: RedisClient, keys: RedisKeys, runId: string): Promise<string> {
  try {
    const leased = (await redis.exists(keys.runLease(runId))) === 1;
    const fields = leased ? ['run', runId, 'lease', '1'] : ['run', runId];
    return (await redis.xadd(keys.announceStream(runId), '*', ...fields)) as string;
  } catch (error) {
    throw new RedisCommandError('announce', error);
  }
}
