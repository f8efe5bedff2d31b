import type { ApprovalMode } from '@cody/schema';
import { READ_ONLY_TOOLS } from '../tool-worker/reclaim-policy';

/**
 * Whether a call waits for the person before it runs. `ask-all`: every call; `ask-mutating`:
 * every tool not known to be read-only (exec, writeFile, editFile, runScript, unknown tools, and
 * MCP tools whose server does not mark them `readOnlyHint`); `auto`: none.
 */
export function needsApproval(
  mode: ApprovalMode,
  toolName: string,
  readOnlyTools: ReadonlySet<string> = READ_ONLY_TOOLS,
): boolean {
  if (mode === 'auto') return false;
  if (mode === 'ask-all') return true;
  return !readOnlyTools.has(toolName);
}

/** What the model reads for a call the person (or the timeout) denied. */
export function deniedCallOutput(reason: string | undefined, decidedBy: string | undefined): string {
  if (decidedBy === 'timeout')
    return `APPROVAL_DENIED: ${reason ?? 'nobody approved this call in time'}; it was not run`;
  return reason
    ? `APPROVAL_DENIED: the user denied this call; it was not run. Reason: ${reason}`
    : 'APPROVAL_DENIED: the user denied this call; it was not run';
}
