import type { RedisClient } from '@cody/redis';
import { RedisCommandError, type RedisKeys } from '@cody/redis';
import { evalLua, luaScript } from './eval-lua';

// KEYS: calls hash, events stream. ARGV: call_id, start field, this attempt's record
const RECORD_START = luaScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then return {'gone'} end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return {'answered'} end
local previous = redis.call('HGET', KEYS[1], ARGV[2])
if previous then return {'started_before', previous} end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return {'first'}`);

export type CallStartOutcome =
  /** No attempt started this call before: this one is recorded and may execute. */
  | { status: 'first' }
  /** An earlier attempt started executing it (its worker stopped without answering). */
  | { status: 'started_before'; previous: string }
  | { status: 'answered' }
  | { status: 'gone' };

/**
 * Records in `<p>run:{id}:calls` that a tool call is about to execute, before it does, in one
 * Lua script with the answered check: whoever gets the call later (a reclaim after a worker
 * crash) learns that it may already have had its effects (see `reclaimPolicy`).
 */
export async function recordCallStart(
  redis: RedisClient,
  keys: RedisKeys,
  runId: string,
  callId: string,
  record: { consumer: string; attempt: number },
): Promise<CallStartOutcome> {
  let reply: string[];
  try {
    reply = (await evalLua(
      redis,
      RECORD_START,
      [keys.runCalls(runId), keys.runEvents(runId)],
      [callId, startField(callId), JSON.stringify({ ...record, at: Date.now() })],
    )) as string[];
  } catch (error) {
    throw new RedisCommandError('record call start', error);
  }
  if (reply[0] === 'started_before') return { status: 'started_before', previous: reply[1] as string };
  if (reply[0] === 'gone' || reply[0] === 'answered') return { status: reply[0] };
  return { status: 'first' };
}

/** The calls-hash field recording that a call started (`started:<call_id>`, never a call id). */
export function startField(callId: string): string {
  return `started:${callId}`;
}
