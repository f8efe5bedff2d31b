import type { RedisClient } from './redis-client';

/** QUITs politely, but never waits more than `timeoutMs` (Redis may be down): then drops the socket. */
export async function closeConnection(redis: RedisClient, timeoutMs = 1000): Promise<void> {
  if (redis.status === 'end') return;
  // not connected: a QUIT would only wait in the offline queue
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const result = await Promise.race([redis.quit().catch(() => 'failed' as const), timeout]);
  clearTimeout(timer);
  if (result !== 'OK') redis.disconnect();
}
