import type { RedisKeys } from './create-redis-keys';
import { RedisCommandError } from './errors/redis-command-error';
import type { RedisClient } from './redis-client';
import { luaScript, runScript } from './run-script';

/** Lease time-to-live: a driver that stops renewing is declared lost within about this long. */
export const DEFAULT_LEASE_TTL_MS = 3000;

// KEYS: lease, events; ARGV: owner, ttl, the id of the stream's first entry as the owner wrote
// it. A lease that vanished without being taken (Redis restarted after its expiry passed, or a
// renewal came late) is taken back while the run is intact and open: the owner is alive,
// renewing. It stays lost when another owner holds it, when the stream ends with a terminal
// event (the watchdog ended the run), or when the stream's first entry is not the one the owner
// wrote (Redis lost the stream; a stray publish or the persistence worker's restore recreated it,
// which can start with a response_start of its own).
const RENEW = luaScript(`
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if current then return 0 end
local function eventType(entry)
  if entry == nil then return nil end
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'e' then
      local ok, event = pcall(cjson.decode, fields[i + 1])
      if ok and type(event) == 'table' then return event['type'] end
      return nil
    end
  end
  return nil
end
if ARGV[3] == '' then return 0 end
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
if first == nil or first[1] ~= ARGV[3] then return 0 end
local last = eventType(redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)[1])
if last == 'response_done' or last == 'response_error' or last == 'turn_aborted_by_user' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 2`);

const RELEASE = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`);

// KEYS: lease, calls hash. ARGV: owner, handover owner, ttl, handover record.
const HAND_OVER = luaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('HSET', KEYS[2], 'driver:handover', ARGV[4])
return 1`);

// KEYS: lease, calls hash. ARGV: handover owner, new owner, ttl.
const ADOPT = luaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
local record = redis.call('HGET', KEYS[2], 'driver:handover')
if not record then return {0} end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('HDEL', KEYS[2], 'driver:handover')
return {1, record}`);

/** The lease value of a run handed over and not adopted yet. */
export const HANDOVER_OWNER = 'handover';

/**
 * Run leases: the process driving a run holds `<p>run:{id}:lease` (value = its owner id,
 * PX ~3 s) and renews it about every second. Renew and release only act for the owner. The
 * lease proves the owner is alive; the watchdog judges a missing lease only after a grace
 * period in which Redis answered it (see the persistence worker), and a live owner takes a
 * lapsed lease back on its next renewal.
 */
export class RunLeases {
  constructor(
    private readonly redis: RedisClient,
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

  /**
   * Extends the lease if `owner` still holds it, or takes it back if it lapsed while the run
   * is still open (a Redis restart lets a lease expire under a live owner) and its stream still
   * starts with `streamStartId`, the entry the owner wrote first; false when another owner has
   * it, the run ended (the watchdog's verdict stands), or its stream is gone or was recreated.
   * Without `streamStartId` a lapsed lease is never taken back.
   */
  async renew(
    runId: string,
    owner: string,
    ttlMs = DEFAULT_LEASE_TTL_MS,
    streamStartId = '',
  ): Promise<boolean> {
    try {
      const reply = await runScript(
        this.redis,
        RENEW,
        [this.keys.runLease(runId), this.keys.runEvents(runId)],
        [owner, ttlMs, streamStartId],
      );
      return reply === 1 || reply === 2;
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

  /**
   * A stopping owner hands a waiting run over: the lease is held by `handover` for `ttlMs` (the
   * watchdog leaves the run alone meanwhile) with `record` (what the next driver needs), and the
   * run is listed in `<p>runs:handover` for other processes to find. False when `owner` no longer
   * held the lease. When the hand-over lease lapses unadopted, the run's owner is lost as usual.
   */
  async handOver(runId: string, owner: string, record: string, ttlMs: number): Promise<boolean> {
    try {
      // listed first: a listing whose lease was not handed over is dropped by `adopt`'s caller
      await this.redis.zadd(this.keys.handover, Date.now(), runId);
      const reply = await runScript(
        this.redis,
        HAND_OVER,
        [this.keys.runLease(runId), this.keys.runCalls(runId)],
        [owner, HANDOVER_OWNER, Math.max(1, Math.floor(ttlMs)), record],
      );
      return reply === 1;
    } catch (error) {
      throw new RedisCommandError('hand over lease', error);
    }
  }

  /** Runs listed as handed over, oldest first (at most `count`). */
  async handedOver(count = 50): Promise<string[]> {
    try {
      return await this.redis.zrange(this.keys.handover, 0, count - 1);
    } catch (error) {
      throw new RedisCommandError('ZRANGE handover', error);
    }
  }

  /**
   * Takes a handed-over run's lease for `owner`; its hand-over record, or null when the run was
   * not (or no longer) waiting for a new owner. Either way the listing is removed when the run is
   * not waiting any more.
   */
  async adopt(runId: string, owner: string, ttlMs = DEFAULT_LEASE_TTL_MS): Promise<string | null> {
    try {
      const reply = (await runScript(
        this.redis,
        ADOPT,
        [this.keys.runLease(runId), this.keys.runCalls(runId)],
        [HANDOVER_OWNER, owner, ttlMs],
      )) as [number, string?];
      if (reply[0] === 1) {
        await this.redis.zrem(this.keys.handover, runId);
        return reply[1] as string;
      }
      // adopted by someone else, or the hand-over lapsed: nothing to wait for under this listing
      if ((await this.redis.get(this.keys.runLease(runId))) !== HANDOVER_OWNER)
        await this.redis.zrem(this.keys.handover, runId);
      return null;
    } catch (error) {
      throw new RedisCommandError('adopt lease', error);
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
