import { parseArgs } from 'node:util';
import { ApprovalModeSchema, CodyError, ERROR_CODES } from '@cody/schema';
import { ApiClient } from './api-client';
import type { CliContext } from './cli-context';
import { CliError } from './cli-error';
import { colours } from './colours';
import { decideCommand } from './commands/decide-command';
import { redisTailCommand } from './commands/redis-tail-command';
import { runCommand } from './commands/run-command';
import { showCommand } from './commands/show-command';
import { threadsCommand } from './commands/threads-command';
import { EXIT } from './exit-codes';
import type { Output } from './terminal-renderer';
import { watchRun } from './watch-run';

export const USAGE = `usage: cody <command> [options]

  cody run "prompt"   submit a turn and stream it live
      --provider <id>  --model <id>  --reasoning minimal|low|medium|high  --thread <threadId>
      --approval auto|ask-mutating|ask-all   ask before tool calls run (on a terminal: answered here)
  cody approve <runId> <callId>               run a tool call that waits for approval
  cody deny <runId> <callId> [--reason text]  refuse it; the model reads the reason
  cody tail <runId>   follow a run from its start (resumes after a dropped connection)
      --redis          read the run's Redis stream directly (REDIS_URL, CODY_REDIS_PREFIX)
  cody show <runId>   print a stored run
  cody threads        list threads (--limit <n>, default 20)

  --url <url>   the Cody server (default $CODY_URL or http://127.0.0.1:4010); CODY_API_TOKEN is sent as a bearer token
  --json        StreamEvents (run, tail) or records (show, threads) as JSON lines
  -h, --help

exit status: 0 complete, 1 error (the code is printed), 2 usage, 130 aborted
`;

export interface CliIo {
  stdout: Output & { isTTY?: boolean };
  stderr: Output & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Subscribes to Ctrl-C; returns the unsubscribe. */
  onSigint(listener: () => void): () => void;
  /** Asks on the terminal (stdin a TTY); absent otherwise. */
  ask?: (question: string) => Promise<string>;
}

/** Parses the arguments, runs one command and returns the exit status; never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr.write(`cody: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  const [command, ...rest] = positionals;

  // first Ctrl-C: the command's handler (cancel the run); second: stop waiting
  const interrupts = new Set<() => void>();
  const controller = new AbortController();
  let interrupted = 0;
  const offSigint = io.onSigint(() => {
    interrupted += 1;
    if (interrupted === 1 && interrupts.size > 0) for (const handler of interrupts) handler();
    else controller.abort();
  });
  const ctx: CliContext = {
    client: new ApiClient({
      baseUrl: values.url ?? io.env.CODY_URL ?? 'http://127.0.0.1:4010',
      token: io.env.CODY_API_TOKEN?.trim() || undefined,
    }),
    out: io.stdout,
    err: io.stderr,
    colours: colours(io.stderr, io.env),
    env: io.env,
    signal: controller.signal,
    onInterrupt(handler) {
      interrupts.add(handler);
      return () => interrupts.delete(handler);
    },
    ...(io.ask ? { ask: io.ask } : {}),
  };
  const json = values.json ?? false;
  try {
    switch (command) {
      case 'run': {
        const prompt = rest.join(' ').trim();
        if (!prompt) throw usage('cody run needs a prompt: cody run "what is in README.md?"');
        if (values.approval !== undefined && !ApprovalModeSchema.safeParse(values.approval).success)
          throw usage('--approval must be auto, ask-mutating or ask-all');
        return await runCommand(ctx, {
          approval: values.approval,
          prompt,
          provider: values.provider,
          model: values.model,
          reasoning: values.reasoning,
          thread: values.thread,
          json,
        });
      }
      case 'tail': {
        const runId = single(rest, 'cody tail <runId>');
        return values.redis ? await redisTailCommand(ctx, runId, json) : await watchRun(ctx, runId, json);
      }
      case 'approve':
      case 'deny': {
        const [runId, callId, ...extra] = rest;
        if (!runId || !callId || extra.length > 0) throw usage(`usage: cody ${command} <runId> <callId>`);
        if (command === 'approve' && values.reason !== undefined) throw usage('--reason goes with cody deny');
        return await decideCommand(ctx, command, runId, callId, values.reason);
      }
      case 'show':
        return await showCommand(ctx, single(rest, 'cody show <runId>'), json);
      case 'threads': {
        const limit = Number(values.limit ?? '20');
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw usage('--limit must be 1…100');
        return await threadsCommand(ctx, limit, json);
      }
      case undefined:
        io.stderr.write(USAGE);
        return EXIT.usage;
      default:
        throw usage(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    if (controller.signal.aborted) return EXIT.aborted;
    if (CodyError.isInstance(error)) {
      io.stderr.write(`cody: ${error.message} (${error.code})\n`);
      return error instanceof CliError ? error.exitCode : EXIT.error;
    }
    io.stderr.write(`cody: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.error;
  } finally {
    offSigint();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      json: { type: 'boolean' },
      redis: { type: 'boolean' },
      provider: { type: 'string' },
      model: { type: 'string' },
      reasoning: { type: 'string' },
      thread: { type: 'string' },
      approval: { type: 'string' },
      reason: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

const usage = (message: string) => new CliError(ERROR_CODES.USAGE_ERROR, message, EXIT.usage);

function single(args: string[], form: string): string {
  if (args.length !== 1 || !args[0]) throw usage(`usage: ${form}`);
  return args[0];
}
