import { reduceEventsToState } from '@cody/reducer';
import {
  type ApprovalDecisionBody,
  CodyError,
  ERROR_CODES,
  type FunctionCallItem,
  isTerminalStatus,
  type Response,
} from '@cody/schema';
import type { ServerContext } from '../server-context';

/**
 * Decides a pending tool call through the transport's atomic script (whichever server process
 * answers, exactly one decision wins); resolves with the call's new approval status.
 */
export async function decideApproval(
  ctx: ServerContext,
  runId: string,
  callId: string,
  body: ApprovalDecisionBody,
): Promise<'approved' | 'denied'> {
  const entries = await ctx.transport.readRange(runId);
  if (entries.length === 0) return refuseFromSnapshot(ctx, runId, callId);
  const response = reduceEventsToState(entries.map((entry) => entry.event))?.response;
  const call = response && findCall(response, callId);
  if (!call) throw notFound(runId, callId);
  if (isTerminalStatus(response.status)) throw alreadyDecided(runId, callId, 'ended');
  const decision = body.decision === 'approve' ? 'approved' : 'denied';
  const reason = body.reason === undefined || body.reason === '' ? undefined : body.reason;
  const outcome = await ctx.transport.approvals.decide(
    runId,
    callId,
    ctx.transport.createEvent(runId, {
      type: 'approval_decided',
      item_id: call.id,
      call_id: callId,
      decision,
      ...(reason === undefined ? {} : { reason }),
      decided_by: 'user',
    }),
  );
  switch (outcome.status) {
    case 'decided':
      return decision;
    case 'already':
      throw alreadyDecided(runId, callId, outcome.current);
    case 'not_found':
      throw notFound(runId, callId);
    case 'gone':
      return refuseFromSnapshot(ctx, runId, callId);
  }
}

/** The run's stream is gone: only its snapshot tells whether the call was ever asked. */
async function refuseFromSnapshot(ctx: ServerContext, runId: string, callId: string): Promise<never> {
  const stored = await ctx.store.getRun(runId);
  if (!stored) throw new CodyError(ERROR_CODES.RUN_NOT_FOUND, `run ${runId} not found`);
  const call = findCall(stored.response, callId);
  if (call?.approval) throw alreadyDecided(runId, callId, call.approval.status);
  throw notFound(runId, callId);
}

function findCall(response: Response, callId: string): FunctionCallItem | undefined {
  return response.output_items.find(
    (item): item is FunctionCallItem => item.type === 'function_call' && item.call_id === callId,
  );
}

function notFound(runId: string, callId: string): CodyError {
  return new CodyError(
    ERROR_CODES.APPROVAL_NOT_FOUND,
    `run ${runId} has no tool call ${callId} waiting for approval`,
  );
}

function alreadyDecided(runId: string, callId: string, current: string): CodyError {
  const what =
    current === 'answered'
      ? 'it was answered already (the run was cancelled)'
      : current === 'ended'
        ? 'the run has ended'
        : `it was ${current}`;
  return new CodyError(
    ERROR_CODES.APPROVAL_ALREADY_DECIDED,
    `tool call ${callId} of run ${runId} cannot be decided: ${what}`,
    { details: { current } },
  );
}
