import type { Response } from '@cody/schema';
import type { CliContext } from '../cli-context';
import { EXIT } from '../exit-codes';
import { TerminalRenderer } from '../terminal-renderer';

/** `cody show <runId>`: prints a run's stored snapshot (with --json, the snapshot JSON); exits 0 once shown. */
export async function showCommand(ctx: CliContext, runId: string, json: boolean): Promise<number> {
  const response = await ctx.client.request<Response>('GET', `/api/v2/runs/${encodeURIComponent(runId)}`);
  if (json) {
    ctx.out.write(`${JSON.stringify(response, null, 2)}\n`);
    return EXIT.ok;
  }
  const renderer = new TerminalRenderer(ctx.out, ctx.err, ctx.colours);
  ctx.err.write(ctx.colours.dim(`run ${response.id} · ${response.provider_id} ${response.model_id}\n`));
  for (const item of response.output_items) renderer.item(item);
  renderer.summary(response);
  if (response.error) ctx.err.write(`${response.error.code}: ${response.error.message}\n`);
  return EXIT.ok;
}
