import type { ItemStatus } from '@cody/reducer';
import { type FunctionCallItem, type FunctionCallOutputItem, parseMcpToolName } from '@cody/schema';
import { memo } from 'react';
import { formatJson } from '../lib/format-json';
import { ApprovalPanel } from './approval-panel';
import { OutputBlock } from './output-block';
import { type BadgeTone, StatusBadge } from './status-badge';

export interface ToolCallCardProps {
  call: FunctionCallItem | undefined;
  output: FunctionCallOutputItem | undefined;
  callStatus: ItemStatus | undefined;
  outputStatus: ItemStatus | undefined;
  /** The run reached its end: a call still without output will not get one. */
  runDone: boolean;
  /** The run was stopped (aborted): its unfinished calls read "Stopped", not "Failed". */
  runStopped: boolean;
  /** The run the call belongs to: a call waiting for approval is decided through it. */
  runId?: string;
}

type ToolState = 'preparing' | 'awaiting' | 'running' | 'success' | 'failure' | 'cancelled';

const LABELS: Record<ToolState, [string, BadgeTone]> = {
  preparing: ['Preparing…', 'busy'],
  awaiting: ['Needs approval', 'warning'],
  running: ['Running…', 'busy'],
  success: ['Succeeded', 'success'],
  failure: ['Failed', 'failure'],
  cancelled: ['Stopped', 'warning'],
};

/**
 * A tool call and its output (matched by call_id): name, arguments, result, success or failure.
 * A tool from an MCP server shows its own name and the server it came from.
 */
export const ToolCallCard = memo(function ToolCallCard({
  call,
  output,
  callStatus,
  outputStatus,
  runDone,
  runStopped,
  runId,
}: ToolCallCardProps) {
  const state = toolState(call, output, callStatus, outputStatus, runDone, runStopped);
  const [label, tone] =
    state === 'cancelled' && !runStopped ? (['No result', 'warning'] as const) : LABELS[state];
  const name = call?.name || 'tool';
  // mcp__<server>__<tool>: the tool's own name, and the MCP server it came from
  const mcp = parseMcpToolName(name);
  const callId = call?.call_id ?? output?.call_id;
  return (
    // a labelled <section> would be a landmark per card; <fieldset> is for forms
    // biome-ignore lint/a11y/useSemanticElements: see above
    <div
      role="group"
      className={`card tool-card tool-card-${state}`}
      data-call-id={callId}
      data-status={state}
      data-mcp-server={mcp?.server}
      aria-label={`Tool call ${name}`}
    >
      <header className="card-header">
        <span className="card-kind" aria-hidden="true">
          ƒ
        </span>
        <h3 className="card-title" title={mcp ? name : undefined}>
          {mcp ? mcp.tool : name}
        </h3>
        {mcp ? (
          <span className="card-source" title={`from the MCP server "${mcp.server}"`}>
            MCP · {mcp.server}
          </span>
        ) : null}
        <StatusBadge tone={tone}>{label}</StatusBadge>
      </header>
      {call ? (
        <OutputBlock
          label="Arguments"
          text={callStatus === 'streaming' ? call.arguments : formatJson(call.arguments)}
        />
      ) : (
        <p className="muted">The call for this output is not part of this run.</p>
      )}
      {state === 'awaiting' && call && runId ? (
        <ApprovalPanel
          runId={runId}
          callId={call.call_id}
          tool={mcp ? mcp.tool : name}
          expiresAt={call.approval?.expires_at}
        />
      ) : null}
      {call?.approval && call.approval.status !== 'pending' ? (
        <p className={`approval-outcome approval-${call.approval.status}`}>
          {approvalOutcome(call.approval.status, call.approval.decided_by, call.approval.reason)}
        </p>
      ) : null}
      {output ? (
        <OutputBlock label="Output" text={output.output} tone={state === 'failure' ? 'error' : 'normal'} />
      ) : null}
    </div>
  );
});

function toolState(
  call: FunctionCallItem | undefined,
  output: FunctionCallOutputItem | undefined,
  callStatus: ItemStatus | undefined,
  outputStatus: ItemStatus | undefined,
  runDone: boolean,
  runStopped: boolean,
): ToolState {
  if (output) {
    if (outputStatus === 'streaming') return 'running';
    if (outputStatus === 'cancelled' && runStopped) return 'cancelled';
    if (outputStatus === 'error' || outputStatus === 'cancelled') return 'failure';
    if (output.success) return 'success';
    // the output Cody writes for a call the stop interrupted (`cancelled: the run was stopped…`)
    return runStopped && /\bcancel/i.test(output.output) ? 'cancelled' : 'failure';
  }
  if (callStatus === 'error' || callStatus === 'cancelled' || runDone) return 'cancelled';
  if (call?.approval?.status === 'pending') return 'awaiting';
  return call && callStatus === 'streaming' ? 'preparing' : 'running';
}

function approvalOutcome(status: 'approved' | 'denied', decidedBy?: string, reason?: string): string {
  if (status === 'approved') return 'Approved';
  if (decidedBy === 'timeout') return 'Denied: nobody approved it in time';
  return reason ? `Denied: ${reason}` : 'Denied';
}
