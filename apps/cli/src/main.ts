#!/usr/bin/env node
// `cody`: the terminal client. Exits with the run's outcome (see USAGE).
import { runCli } from './run-cli';

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
