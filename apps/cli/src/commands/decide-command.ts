import type { CliContext } from '../cli-context';
import { EXIT } from '../exit-codes';

/** `cody approve|deny <runId> <callId> [--reason text]`: decides a tool call waiting for approval. */
export async function decideCommand(
  ctx: CliContext,
  decision: 'approve' | 'deny',
  runId: string,
  callId: string,
  reason: string | undefined,
): Promise<number> {
  await decide(ctx, runId, callId, decision, reason);
  ctx.err.write(`${decision === 'approve' ? 'approved' : 'denied'} ${callId}\n`);
  return EXIT.ok;
}

export async function decide(
  ctx: CliContext,
  runId: string,
  callId: string,
  decision: 'approve' | 'deny',
  reason: string | undefined,
): Promise<void> {
  await ctx.client.request(
    'POST',
    `/api/v2/runs/${encodeURIComponent(runId)}/approvals/${encodeURIComponent(callId)}`,
    reason ? { decision, reason } : { decision },
  );
}

/** The terminal's answer to "Approve …? [y/N or a reason]": y/yes approves, anything else denies. */
export function readAnswer(answer: string): { decision: 'approve' | 'deny'; reason?: string } {
  const text = answer.trim();
  if (/^(y|yes)$/i.test(text)) return { decision: 'approve' };
  if (text === '' || /^(n|no)$/i.test(text)) return { decision: 'deny' };
  return { decision: 'deny', reason: text };
}
