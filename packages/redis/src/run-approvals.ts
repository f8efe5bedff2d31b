import { parseStreamEvent, type StreamEvent } from '@cody/schema';
import type { RedisKeys } from './create-redis-keys';
import { EventRunMismatchError } from './errors/event-run-mismatch-error';
import { RedisCommandError } from './errors/redis-command-error';
import type { RedisClient } from './redis-client';
import { luaScript, runScript } from './run-script';

// The approval of a call lives in the run's calls hash (`approval:<call_id>` = pending | approved |
// denied), beside `<call_id>` = done once the call is answered: one slot, so one script sees both.

// KEYS: calls hash, events. ARGV: approval field, call_id, approval_requested event.
const REQUEST = luaScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then return {'gone'} end
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then return {'answered'} end
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {'existing', existing} end
redis.call('HSET', KEYS[1], ARGV[1], 'pending')
redis.call('XADD', KEYS[2], '*', 'e', ARGV[3])
return {'requested'}`);

// KEYS: calls hash, events. ARGV: approval field, call_id, decision, approval_decided event.
const DECIDE = luaScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then return {'gone'} end
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return {'not_found'} end
if current ~= 'pending' then return {'already', current} end
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then return {'already', 'answered'} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local id = redis.call('XADD', KEYS[2], '*', 'e', ARGV[4])
return {'decided', id}`);

export type ApprovalRecord = 'pending' | 'approved' | 'denied';

export type ApprovalRequestOutcome =
  | { status: 'requested' }
  /** Asked before (a driver that adopted the run asks again): the state it has. */
  | { status: 'existing'; approval: ApprovalRecord }
  /** The call already has its output (a cancel answered it). */
  | { status: 'answered' }
  | { status: 'gone' };

export type ApprovalDecideOutcome =
  | { status: 'decided'; id: string }
  /** Decided before (`approved`, `denied`), or the call was answered meanwhile (`answered`: a cancel). */
  | { status: 'already'; current: ApprovalRecord | 'answered' }
  /** No call of this run waits for approval under this call id. */
  | { status: 'not_found' }
  /** The run's stream does not exist (unknown run, or it expired). */
  | { status: 'gone' };

/**
 * Tool-call approvals, atomic per run: `request` marks a call pending and publishes its
 * `approval_requested` in one script; `decide` moves a pending call to approved or denied and
 * publishes `approval_decided` in one script, so of two deciders (two server processes, a person
 * and the timeout) exactly one wins and the other learns it was decided. Both scripts touch only
 * keys with the run's hash tag `{runId}`: Cluster-safe.
 */
export class RunApprovals {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async request(runId: string, callId: string, event: StreamEvent): Promise<ApprovalRequestOutcome> {
    const reply = (await this.run('request approval', REQUEST, runId, [
      approvalField(callId),
      callId,
      encode(runId, event, 'approval_requested'),
    ])) as string[];
    if (reply[0] === 'existing') return { status: 'existing', approval: reply[1] as ApprovalRecord };
    return { status: reply[0] as 'requested' | 'answered' | 'gone' };
  }

  async decide(runId: string, callId: string, event: StreamEvent): Promise<ApprovalDecideOutcome> {
    if (event.payload.type !== 'approval_decided')
      throw new TypeError('decide takes an approval_decided event');
    const reply = (await this.run('decide approval', DECIDE, runId, [
      approvalField(callId),
      callId,
      event.payload.decision,
      encode(runId, event, 'approval_decided'),
    ])) as string[];
    if (reply[0] === 'decided') return { status: 'decided', id: reply[1] as string };
    if (reply[0] === 'already')
      return { status: 'already', current: reply[1] as ApprovalRecord | 'answered' };
    return { status: reply[0] as 'not_found' | 'gone' };
  }

  /** The recorded state of a call's approval, or null when it was never asked. */
  async get(runId: string, callId: string): Promise<ApprovalRecord | null> {
    try {
      return (await this.redis.hget(
        this.keys.runCalls(runId),
        approvalField(callId),
      )) as ApprovalRecord | null;
    } catch (error) {
      throw new RedisCommandError('HGET approval', error);
    }
  }

  private async run(what: string, script: ReturnType<typeof luaScript>, runId: string, args: string[]) {
    try {
      return await runScript(
        this.redis,
        script,
        [this.keys.runCalls(runId), this.keys.runEvents(runId)],
        args,
      );
    } catch (error) {
      throw new RedisCommandError(what, error);
    }
  }
}

/** The calls-hash field holding a call's approval (`approval:<call_id>`, never a call id). */
export function approvalField(callId: string): string {
  return `approval:${callId}`;
}

function encode(runId: string, input: StreamEvent, type: string): string {
  const event = parseStreamEvent(input);
  if (event.run_id !== runId) throw new EventRunMismatchError(event.event_id, event.run_id, runId);
  if (event.type !== type) throw new TypeError(`expected a ${type} event, got ${event.type}`);
  return JSON.stringify(event);
}
