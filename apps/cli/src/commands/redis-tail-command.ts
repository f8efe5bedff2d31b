import { RedisTransport } from '@cody/redis';
import { ERROR_CODES } from '@cody/schema';
import type { CliContext } from '../cli-context';
import { CliError } from '../cli-error';
import { EXIT } from '../exit-codes';

const TERMINAL = new Set(['response_done', 'response_error', 'turn_aborted_by_user']);

/**
 * `cody tail <runId> --redis`: reads the run's Redis stream directly (no server in the way) and
 * prints each entry as it lands — `<entry id> <type> <payload>`, or with --json the entry
 * `{id, event}` — until the terminal event.
 */
export async function redisTailCommand(ctx: CliContext, runId: string, json: boolean): Promise<number> {
  const url = ctx.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const transport = new RedisTransport({ url, prefix: ctx.env.CODY_REDIS_PREFIX, name: 'cody-cli' });
  try {
    await reachable(transport, url);
    if ((await transport.readRange(runId, { count: 1 })).length === 0) {
      throw new CliError(
        ERROR_CODES.RUN_NOT_FOUND,
        `no Redis stream ${transport.keys.runEvents(runId)} (a finished run's stream expires; try cody show)`,
      );
    }
    const controller = new AbortController();
    ctx.signal.addEventListener('abort', () => controller.abort(), { once: true });
    const stop = ctx.onInterrupt(() => controller.abort());
    try {
      for await (const { id, event } of transport.tail(runId, '0-0', controller.signal)) {
        if (json) ctx.out.write(`${JSON.stringify({ id, event })}\n`);
        else {
          const { type, ...payload } = event.payload;
          ctx.out.write(`${ctx.colours.dim(id)} ${ctx.colours.cyan(type)} ${JSON.stringify(payload)}\n`);
        }
        if (TERMINAL.has(event.type)) break;
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    } finally {
      stop();
    }
    return controller.signal.aborted ? EXIT.aborted : EXIT.ok;
  } finally {
    await transport.close();
  }
}

/** Fails fast when Redis does not answer, instead of ioredis' reconnect-forever. */
async function reachable(transport: RedisTransport, url: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) =>
      reject(
        new CliError(
          ERROR_CODES.SERVER_UNREACHABLE,
          `cannot reach Redis at ${url} (${(error as { code?: string }).code ?? error.message}); set REDIS_URL`,
          1,
          error,
        ),
      );
    transport.redis.once('error', onError);
    transport.ping().then(
      () => {
        transport.redis.off('error', onError);
        resolve();
      },
      (error: Error) => onError(error),
    );
  });
}
