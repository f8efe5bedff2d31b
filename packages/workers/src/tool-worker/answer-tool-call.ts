import type { RedisClient } from '@cody/redis';
import { RedisCommandError, type RedisKeys } from '@cody/redis';
import { parseStreamEvent, type StreamEvent } from '@cody/schema';
import { evalLua, luaScript } from './eval-lua';

// KEYS: calls hash, events stream. ARGV: call_id, events…
// the stream must exist: a run whose keys expired gets no events (and no key without a TTL)
const ANSWER = luaScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then return {'gone'} end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return {'answered'} end
local reply = {'published'}
for i = 2, #ARGV do reply[#reply + 1] = redis.call('XADD', KEYS[2], '*', 'e', ARGV[i]) end
redis.call('HSET', KEYS[1], ARGV[1], 'done')
return reply`);

// KEYS: calls hash, events stream. ARGV: call_id, script field, script item id, events…
const START_SCRIPT = luaScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then return {'gone'} end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return {'answered'} end
local existing = redis.call('HGET', KEYS[1], ARGV[2])
if existing then return {'existing', existing} end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
for i = 4, #ARGV do redis.call('XADD', KEYS[2], '*', 'e', ARGV[i]) end
return {'published', ARGV[3]}`);

export type AnswerOutcome =
  | { status: 'published'; ids: string[] }
  | { status: 'answered' }
  | { status: 'gone' };

/**
 * Publishes the events that answer a tool call and marks `call_id` done in
 * `<p>run:{id}:calls`, in one Lua script (the run's keys share a slot): a call is answered at
 * most once, whoever answers it (a tool worker, a retry after a crash, a cancel). `answered`:
 * someone did before; `gone`: the run's stream no longer exists. Events are validated first.
 */
export async function answerToolCall(
  redis: RedisClient,
  keys: RedisKeys,
  runId: string,
  callId: string,
  events: readonly StreamEvent[],
): Promise<AnswerOutcome> {
  const encoded = events.map((event) => JSON.stringify(parseStreamEvent(event)));
  let reply: string[];
  try {
    reply = (await evalLua(
      redis,
      ANSWER,
      [keys.runCalls(runId), keys.runEvents(runId)],
      [callId, ...encoded],
    )) as string[];
  } catch (error) {
    throw new RedisCommandError('answer tool call', error);
  }
  if (reply[0] === 'gone') return { status: 'gone' };
  if (reply[0] === 'answered') return { status: 'answered' };
  return { status: 'published', ids: reply.slice(1) };
}

export type ScriptStartOutcome =
  | { status: 'published'; scriptId: string }
  | { status: 'existing'; scriptId: string }
  | { status: 'answered' }
  | { status: 'gone' };

/**
 * Publishes a call's `script_execution` item once: a retried call (its worker died) reuses the
 * script item published the first time (`existing`) instead of showing the script twice.
 */
export async function startScriptExecution(
  redis: RedisClient,
  keys: RedisKeys,
  runId: string,
  callId: string,
  scriptId: string,
  events: readonly StreamEvent[],
): Promise<ScriptStartOutcome> {
  const encoded = events.map((event) => JSON.stringify(parseStreamEvent(event)));
  let reply: string[];
  try {
    reply = (await evalLua(
      redis,
      START_SCRIPT,
      [keys.runCalls(runId), keys.runEvents(runId)],
      [callId, scriptField(callId), scriptId, ...encoded],
    )) as string[];
  } catch (error) {
    throw new RedisCommandError('start script execution', error);
  }
  if (reply[0] === 'gone') return { status: 'gone' };
  if (reply[0] === 'answered') return { status: 'answered' };
  return { status: reply[0] === 'existing' ? 'existing' : 'published', scriptId: reply[1] as string };
}

/** Whether the call's output is already in the stream. */
export async function isToolCallAnswered(
  redis: RedisClient,
  keys: RedisKeys,
  runId: string,
  callId: string,
): Promise<boolean> {
  try {
    return (await redis.hexists(keys.runCalls(runId), callId)) === 1;
  } catch (error) {
    throw new RedisCommandError('HEXISTS calls', error);
  }
}

/** The calls-hash field remembering a call's script item (`script:<call_id>`, never a call id). */
export function scriptField(callId: string): string {
  return `script:${callId}`;
}
