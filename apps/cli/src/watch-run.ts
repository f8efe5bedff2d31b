import type { HydratorSnapshot } from '@cody/reducer';
import { ERROR_CODES } from '@cody/schema';
import type { CliContext } from './cli-context';
import { decide, readAnswer } from './commands/decide-command';
import { EXIT, exitCodeOf } from './exit-codes';
import { followRun } from './follow-run';
import { TerminalRenderer } from './terminal-renderer';

/**
 * Follows a run to its end, rendering it (or printing its events as JSON lines) and reporting
 * how it ended; the first Ctrl-C asks the server to cancel it and keeps following until it
 * reports `aborted`. Returns the exit status.
 */
export async function watchRun(ctx: CliContext, runId: string, json: boolean): Promise<number> {
  const renderer = new TerminalRenderer(ctx.out, ctx.err, ctx.colours);
  const stopInterrupt = ctx.onInterrupt(() => {
    ctx.err.write(ctx.colours.yellow(`\ncancelling run ${runId} … (Ctrl-C again to stop waiting)\n`));
    ctx.client.request('POST', `/api/v2/runs/${encodeURIComponent(runId)}/cancel`).catch((error: Error) => {
      ctx.err.write(`cody: cancel failed: ${error.message}\n`);
    });
  });
  let snapshot: HydratorSnapshot;
  try {
    snapshot = await followRun(
      ctx.client,
      runId,
      {
        onEvent(event, state) {
          if (json) ctx.out.write(`${JSON.stringify(event)}\n`);
          else renderer.event(event, state);
          if (event.payload.type === 'approval_requested' && !json)
            void askApproval(ctx, runId, event.payload);
        },
      },
      { signal: ctx.signal },
    );
  } finally {
    stopInterrupt();
  }
  const response = snapshot.response;
  asked.clear();
  if (!snapshot.done) {
    ctx.err.write(`cody: stopped following run ${runId}; it goes on on the server\n`);
    return EXIT.aborted;
  }
  if (response?.status === 'complete') return EXIT.ok;
  const code =
    response?.status === 'aborted'
      ? ERROR_CODES.ABORTED
      : (response?.error?.code ?? snapshot.state?.error?.code ?? ERROR_CODES.INTERNAL_ERROR);
  const message = response?.error?.message ?? snapshot.state?.error?.message ?? '';
  ctx.err.write(
    `cody: run ${runId} ended ${response?.status ?? 'error'}: ${code}${message ? ` ${message}` : ''}\n`,
  );
  return exitCodeOf(response);
}

const asked = new Set<string>();

/**
 * A call waits for approval: on a terminal the person answers here; otherwise the commands that
 * decide it are printed (any process, any client may decide it).
 */
async function askApproval(
  ctx: CliContext,
  runId: string,
  payload: { call_id: string; tool: string },
): Promise<void> {
  const hint = `cody approve ${runId} ${payload.call_id}   |   cody deny ${runId} ${payload.call_id} --reason "…"`;
  if (!ctx.ask) {
    ctx.err.write(ctx.colours.yellow(`waiting for approval of ${payload.tool}: ${hint}\n`));
    return;
  }
  if (asked.has(payload.call_id)) return;
  asked.add(payload.call_id);
  const answer = await ctx.ask(`Run ${payload.tool}? [y = approve / N or a reason = deny] `);
  const { decision, reason } = readAnswer(answer);
  try {
    await decide(ctx, runId, payload.call_id, decision, reason);
  } catch (error) {
    ctx.err.write(`cody: ${(error as Error).message}\n`);
  }
}
