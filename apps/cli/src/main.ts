#!/usr/bin/env node
// `cody`: the terminal client. Exits with the run's outcome (see USAGE).
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
});
// stdout may be a pipe: let it drain before leaving (keep-alive sockets would hold the loop)
process.stdout.write('', () => process.exit(code));
