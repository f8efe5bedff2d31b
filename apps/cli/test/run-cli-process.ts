// Runs the `cody` CLI as a real child process (its TypeScript sources through tsx, as
// `bin/cody.mjs` does in an unbuilt checkout) and collects what it prints.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit status once the process ended. */
  exited: Promise<number | null>;
  /** Resolves once stdout or stderr (the combined text) satisfies `test`. */
  waitFor(test: (out: { stdout: string; stderr: string }) => boolean): Promise<void>;
}

export function startCli(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=@cody/source', '--import', 'tsx', 'src/main.ts', ...args],
    {
      cwd: cliDir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const check = () => {
    for (const waiter of waiters) waiter();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    check();
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor(test) {
      return new Promise((resolve, reject) => {
        const waiter = () => {
          if (test({ stdout, stderr })) {
            waiters.delete(waiter);
            resolve();
          }
        };
        waiters.add(waiter);
        waiter();
        void exited.then(() => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          if (test({ stdout, stderr })) resolve();
          else
            reject(new Error(`cody exited before the condition held\nstdout: ${stdout}\nstderr: ${stderr}`));
        });
      });
    },
  };
}

/** Runs the CLI to its end. */
export async function runCliToEnd(args: string[], env: Record<string, string>) {
  const cli = startCli(args, env);
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}
