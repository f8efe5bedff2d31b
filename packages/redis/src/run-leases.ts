import type { Redis } from 'ioredis';
import type { RedisKeys } from './create-redis-keys';
import { RedisCommandError } from './errors/redis-command-error';
import { luaScript, runScript } from './run-script';

/** Lease time-to-live: a driver that stops renewing is declared lost within about this long. */
export const DEFAULT_LEASE_TTL_MS = 3000;

const RENEW = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`);

const RELEASE = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`);

/**
 * Run leases: the process driving a run holds `<p>run:{id}:lease` (value = its owner id,
 * PX ~3 s) and renews it about every second. Renew and release only act for the owner.
 */
export class RunLeases {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Takes the lease if nobody holds it; true when `owner` now holds it. */
  async acquire(runId: string, owner: string, ttlMs = DEFAULT_LEASE_TTL_MS): Promise<boolean> {
    try {
      return (await this.redis.set(this.keys.runLease(runId), owner, 'PX', ttlMs, 'NX')) === 'OK';
    } catch (error) {
      throw new RedisCommandError('SET lease', error);
    }
  }

  /** Extends the lease if `owner` still holds it; false when it lapsed or another owner has it. */
  async renew(runId: string, owner: string, ttlMs = DEFAULT_LEASE_TTL_MS): Promise<boolean> {
    try {
      return (await runScript(this.redis, RENEW, [this.keys.runLease(runId)], [owner, ttlMs])) === 1;
    } catch (error) {
      throw new RedisCommandError('renew lease', error);
    }
  }

  /** Gives the lease up if `owner` holds it; true when it did. */
  async release(runId: string, owner: string): Promise<boolean> {
    try {
      return (await runScript(this.redis, RELEASE, [this.keys.runLease(runId)], [owner])) === 1;
    } catch (error) {
      throw new RedisCommandError('release lease', error);
    }
  }

  /** Whether anyone holds the run's lease now. */
  async isAlive(runId: string): Promise<boolean> {
    try {
      return (await this.redis.exists(this.keys.runLease(runId))) === 1;
    } catch (error) {
      throw new RedisCommandError('EXISTS lease', error);
    }
  }

  /** The current owner id, or null. */
  async owner(runId: string): Promise<string | null> {
    try {
      return await this.redis.get(this.keys.runLease(runId));
    } catch (error) {
      throw new RedisCommandError('GET lease', error);
    }
  }
}
