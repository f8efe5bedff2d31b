// Lua scripts behind RedisStore. Each touches the keys of one hash tag only (Cluster-safe) and
// reads only small fields, so a write costs one copy of the snapshot however large it is.

/** KEYS: thread. ARGV: id, title, created_at, has_agent ('1'|'0'), agent_id. → 1 created, 0 taken. */
export const CREATE_THREAD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'title', ARGV[2], 'created_at', ARGV[3], 'updated_at', ARGV[3])
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'agent_id', ARGV[5]) end
return 1
`;

const bumpUpdatedAt = `
local function bump(key, now)
  local current = redis.call('HGET', key, 'updated_at')
  if not current or tonumber(now) > tonumber(current) then
    redis.call('HSET', key, 'updated_at', now)
    return now
  end
  return current
end
`;

/** KEYS: thread. ARGV: now, has_title ('1'|'0'), title. → the thread's fields, or nil if missing. */
export const UPDATE_THREAD = `${bumpUpdatedAt}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'title', ARGV[3]) end
bump(KEYS[1], ARGV[1])
return redis.call('HGETALL', KEYS[1])
`;

/** KEYS: thread, thread runs. → the thread's run ids, or nil if the thread is missing. */
export const DELETE_THREAD = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local runs = redis.call('ZRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[1], KEYS[2])
return runs
`;

/**
 * KEYS: thread, thread runs. ARGV: run id, run created_at, now.
 * → {1 if newly linked else 0, updated_at}, or -1 if the thread is missing.
 */
export const LINK_RUN = `${bumpUpdatedAt}
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local added = redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return {added, bump(KEYS[1], ARGV[3])}
`;

/**
 * KEYS: run. ARGV: last_stream_id ('' for none), thread id, created_at, response JSON.
 * → {'stored', id} | {'stale', stored id} | {'mismatch', stored thread id}.
 * Stream ids compare numerically as <ms>-<seq> decimal strings (no float rounding, no locale).
 */
export const PUT_RUN = `
local function cmpdigits(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  for i = 1, #a do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y and -1 or 1 end
  end
  return 0
end
local function cmpid(a, b)
  if a == b then return 0 end
  if a == '' then return -1 end
  if b == '' then return 1 end
  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
  local c = cmpdigits(ams, bms)
  if c ~= 0 then return c end
  return cmpdigits(aseq, bseq)
end
local stored = redis.call('HMGET', KEYS[1], 'last_stream_id', 'thread_id')
if stored[2] and stored[2] ~= ARGV[2] then return {'mismatch', stored[2]} end
if stored[1] and cmpid(ARGV[1], stored[1]) < 0 then return {'stale', stored[1]} end
redis.call('HSET', KEYS[1], 'response', ARGV[4], 'last_stream_id', ARGV[1], 'thread_id', ARGV[2], 'created_at', ARGV[3])
return {'stored', ARGV[1]}
`;
