import type { Thread } from '@cody/schema';
import type { CliContext } from '../cli-context';
import { EXIT } from '../exit-codes';

/** `cody threads`: lists threads, most recently updated first (one line each, or JSON lines). */
export async function threadsCommand(ctx: CliContext, limit: number, json: boolean): Promise<number> {
  const page = await ctx.client.request<{ threads: Thread[]; nextCursor: string | null }>(
    'GET',
    `/api/v2/threads?limit=${limit}`,
  );
  for (const thread of page.threads) {
    if (json) ctx.out.write(`${JSON.stringify(thread)}\n`);
    else
      ctx.out.write(
        `${thread.id}  ${ctx.colours.dim(new Date(thread.updated_at).toISOString())}  ${thread.title}\n`,
      );
  }
  if (!json && page.threads.length === 0) ctx.err.write('no threads yet\n');
  return EXIT.ok;
}
