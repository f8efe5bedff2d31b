import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';

/** The variable that marks every process a tool worker's commands start (inherited by their children). */
export const REAPER_MARK_VARIABLE = 'CODY_TOOL_WORKER_MARK';

// Waits for EOF on stdin (the worker closed it, or died: the kernel closes its end of the pipe
// even on SIGKILL), then SIGKILLs every process whose environment carries the mark, a few rounds
// in case one was forking (grep exits 2 for the files of other users it cannot read: the list counts). `grep -z` reads the NUL-separated /proc/<pid>/environ files.
const REAPER_SCRIPT = `cat >/dev/null
for round in 1 2 3 4 5; do
  files=$(grep -lzxF "${REAPER_MARK_VARIABLE}=$1" /proc/[0-9]*/environ 2>/dev/null)
  [ -n "$files" ] || break
  for f in $files; do p=\${f#/proc/}; kill -KILL "\${p%/environ}" 2>/dev/null; done
done`;

/**
 * Makes the commands of a tool worker die with it, like PR_SET_PDEATHSIG for a whole process
 * tree: commands run with a mark in their environment, and a small `sh` guardian (its own
 * process group, so a signal to the worker's group spares it) holds a pipe from the worker.
 * When the worker exits — SIGKILL included — the pipe closes and the guardian kills every
 * process still carrying the mark, grandchildren too. Linux (/proc); elsewhere it does nothing.
 * A command that clears its environment escapes it; the exec sandbox is the stronger fence.
 */
export class ProcessReaper {
  /** Unique per worker: only this worker's commands carry it. */
  readonly mark = randomUUID();
  private guardian: ChildProcess | undefined;

  /** Starts the guardian (once); a failure to start leaves commands unguarded, not the worker down. */
  start(): void {
    if (this.guardian || process.platform !== 'linux') return;
    const guardian = spawn('/bin/sh', ['-c', REAPER_SCRIPT, 'cody-reaper', this.mark], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    guardian.on('error', () => {});
    guardian.stdin?.on('error', () => {});
    // neither the guardian nor its pipe keeps this process alive
    guardian.unref();
    (guardian.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.guardian = guardian;
  }

  /** `env` plus the mark: what the worker's commands run with. */
  markEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return { ...env, [REAPER_MARK_VARIABLE]: this.mark };
  }

  /** Closes the pipe: the guardian kills what is left of the worker's commands and exits. */
  async stop(): Promise<void> {
    const guardian = this.guardian;
    this.guardian = undefined;
    if (!guardian || guardian.pid === undefined || guardian.exitCode !== null || guardian.signalCode !== null)
      return;
    const exited = new Promise<void>((resolve) => {
      guardian.once('exit', () => resolve());
      // a guardian that could not start has nothing to wait for
      guardian.once('error', () => resolve());
    });
    guardian.stdin?.end();
    await exited;
  }
}
