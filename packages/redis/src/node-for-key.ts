import type { Redis } from 'ioredis';
import { keySlot } from './keys-by-slot';
import { isClusterClient, type RedisClient } from './redis-client';

/**
 * The node connection inside `redis` that commands on `key` go to: `redis` itself on a single
 * node; on a cluster the connection to the master serving the key's slot. Node-scoped commands
 * (CLIENT ID, CLIENT UNBLOCK, CLIENT LIST) must be sent there, not to a random node.
 */
export async function nodeForKey(redis: RedisClient, key: string): Promise<Redis> {
  if (!isClusterClient(redis)) return redis;
  if (redis.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const onReady = () => {
        redis.off('end', onEnd);
        resolve();
      };
      const onEnd = () => {
        redis.off('ready', onReady);
        reject(new Error('the cluster connection ended'));
      };
      redis.once('ready', onReady);
      redis.once('end', onEnd);
    });
  }
  const slot = keySlot(key);
  const find = () => {
    const address = redis.slots[slot]?.[0];
    return redis.nodes('master').find((node) => `${node.options.host}:${node.options.port}` === address);
  };
  let node = find();
  if (node === undefined) {
    // a node connection that dropped leaves the pool until the slots are read again; ioredis
    // refreshes them only when a command fails, so ask for it (no periodic refresh by default)
    await new Promise<void>((resolve) => redis.refreshSlotsCache(() => resolve()));
    node = find();
  }
  if (node === undefined) throw new Error(`no cluster node serves slot ${slot} (key ${key})`);
  return node;
}
