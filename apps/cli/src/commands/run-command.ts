import type { CliContext } from '../cli-context';
import { watchRun } from '../watch-run';

export interface RunOptions {
  prompt: string;
  provider?: string | undefined;
  model?: string | undefined;
  reasoning?: string | undefined;
  thread?: string | undefined;
  approval?: string | undefined;
  json: boolean;
}

interface Submitted {
  runId: string;
  turnId: string;
  threadId: string;
  streamUrl: string;
}

/** `cody run "prompt"`: submits a turn and follows it live. */
export async function runCommand(ctx: CliContext, options: RunOptions): Promise<number> {
  const submitted = await ctx.client.request<Submitted>('POST', '/api/v2/submit', {
    prompt: options.prompt,
    ...(options.provider ? { providerId: options.provider } : {}),
    ...(options.model ? { model: options.model } : {}),
    ...(options.reasoning ? { reasoning: options.reasoning } : {}),
    ...(options.thread ? { threadId: options.thread } : {}),
    ...(options.approval ? { approval: options.approval } : {}),
  });
  if (!options.json) ctx.err.write(ctx.colours.dim(`thread ${submitted.threadId}\n`));
  return watchRun(ctx, submitted.runId, options.json);
}
