#!/usr/bin/env node
// `cody`: the terminal client. Exits with the run's outcome (see USAGE).
import { createInterface } from 'node:readline/promises';
import { runCli } from './run-cli';

// `cody run … | head -1`: a reader that went away is not an error; the run goes on on the server
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  onSigint(listener) {
    process.on('SIGINT', listener);
    return () => process.off('SIGINT', listener);
  },
  // approvals are asked on the terminal only; piped stdin is never read as an answer
  ...(process.stdin.isTTY
    ? {
        async ask(question: string) {
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return await rl.question(question);
          } finally {
            rl.close();
          }
        },
      }
    : {}),
});
// stdout may be a pipe: let it drain before leaving (keep-alive sockets would hold the loop)
process.stdout.write('', () => process.exit(code));
