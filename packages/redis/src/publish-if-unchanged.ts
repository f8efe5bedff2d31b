import { parseStreamEvent } from '@cody/schema';
import type { RedisKeys } from './create-redis-keys';
import { EventRunMismatchError } from './errors/event-run-mismatch-error';
import { RedisCommandError } from './errors/redis-command-error';
import type { RedisClient } from './redis-client';
import { luaScript, runScript } from './run-script';

// KEYS: events, lease. ARGV: expected last id ('' = any), '1' = only while nobody holds the lease, events…
const PUBLISH_IF_UNCHANGED = luaScript(`
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[2]) == 1 then return {'leased'} end
if ARGV[1] ~= '' then
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
  local lastId = '0-0'
  if last[1] then lastId = last[1][1] end
  if lastId ~= ARGV[1] then return {'moved', lastId} end
end
local reply = {'published'}
for i = 3, #ARGV do reply[#reply + 1] = redis.call('XADD', KEYS[1], '*', 'e', ARGV[i]) end
return reply`);

export interface PublishConditions {
  /** Publish only if the stream's last entry is this id (`0-0`: only if the stream is empty). */
  lastId?: string;
  /** Publish only while nobody holds the run's lease. */
  noLease?: boolean;
}

export type ConditionalPublishResult =
  | { status: 'published'; ids: string[] }
  | { status: 'leased' }
  | { status: 'moved'; lastId: string };

/**
 * Appends events to a run's stream atomically (one script: the run's keys share a slot),
 * and only if the conditions still hold: the watchdog ends a run only if its owner is still
 * gone and nothing was published since it last looked. Events are validated first.
 */
export async function publishIfUnchanged(
  redis: RedisClient,
  keys: RedisKeys,
  runId: string,
  events: readonly unknown[],
  conditions: PublishConditions = {},
): Promise<ConditionalPublishResult> {
  const encoded = events.map((input) => {
    const event = parseStreamEvent(input);
    if (event.run_id !== runId) {
      throw new EventRunMismatchError(event.event_id, event.run_id, runId);
    }
    return JSON.stringify(event);
  });
  let reply: string[];
  try {
    reply = (await runScript(
      redis,
      PUBLISH_IF_UNCHANGED,
      [keys.runEvents(runId), keys.runLease(runId)],
      [conditions.lastId ?? '', conditions.noLease ? '1' : '0', ...encoded],
    )) as string[];
  } catch (error) {
    throw new RedisCommandError('conditional XADD', error);
  }
  if (reply[0] === 'leased') return { status: 'leased' };
  if (reply[0] === 'moved') return { status: 'moved', lastId: reply[1] as string };
  return { status: 'published', ids: reply.slice(1) };
}
