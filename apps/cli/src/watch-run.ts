import type { HydratorSnapshot } from '@cody/reducer';
import { ERROR_CODES } from '@cody/schema';
import type { CliContext } from './cli-context';
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
        },
      },
      { signal: ctx.signal },
    );
  } finally {
    stopInterrupt();
  }
  const response = snapshot.response;
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
