import cluster, { type Worker } from 'node:cluster';
import { onStopSignals } from './on-stop-signals';

export interface SuperviseOptions {
  /** How many server processes share the port. */
  processes: number;
  log: (line: string) => void;
}

/** A process that crashes this soon after its start counts towards the crash-loop backoff. */
const QUICK_CRASH_MS = 10_000;
const MAX_RESTART_DELAY_MS = 10_000;

/**
 * The primary of `CODY_SERVER_PROCESSES > 1`: forks that many copies of this program (node:cluster;
 * they share the listening port, each drives the runs submitted to it, and the workers inside them
 * share their Redis consumer groups). It serves nothing itself. A process that crashes after it
 * listened is replaced (backing off when it keeps crashing); one that fails before it listened
 * (a port in use, a bad setting) stops them all with its exit code, since the others would too.
 * The first SIGINT/SIGTERM stops each process gracefully (they hand their runs over); a second one
 * kills them. Resolves with the exit code for the primary.
 */
export function superviseServerProcesses(options: SuperviseOptions): Promise<number> {
  return new Promise((resolve) => {
    const live = new Set<Worker>();
    const listened = new WeakSet<Worker>();
    const startedAt = new WeakMap<Worker, number>();
    let stopping = false;
    let exitCode = 0;
    let quickCrashes = 0;

    const fork = () => {
      const worker = cluster.fork();
      live.add(worker);
      startedAt.set(worker, Date.now());
      worker.on('listening', () => listened.add(worker));
      worker.on('exit', (code, signal) => onExit(worker, code, signal));
    };

    const stopAll = (signal: NodeJS.Signals) => {
      for (const worker of live) worker.process.kill(signal);
    };

    const onExit = (worker: Worker, code: number | null, signal: string | null) => {
      live.delete(worker);
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      if (!stopping && !listened.has(worker)) {
        // it never served: the same cause would stop every replacement too
        options.log(`a server process stopped before it listened (${how}); stopping the others`);
        stopping = true;
        exitCode = code || 1;
        stopAll('SIGTERM');
      } else if (!stopping) {
        const quick = Date.now() - (startedAt.get(worker) ?? 0) < QUICK_CRASH_MS;
        quickCrashes = quick ? quickCrashes + 1 : 0;
        const delay = quickCrashes === 0 ? 0 : Math.min(250 * 2 ** quickCrashes, MAX_RESTART_DELAY_MS);
        options.log(`server process ${worker.process.pid} ended (${how}); starting another in ${delay} ms`);
        setTimeout(() => {
          if (!stopping) fork();
        }, delay).unref();
      }
      if (stopping && live.size === 0) resolve(exitCode);
    };

    onStopSignals({
      stop: (signal) => {
        stopping = true;
        options.log(`${signal}: stopping ${live.size} server processes (again to force)`);
        stopAll('SIGTERM');
        if (live.size === 0) resolve(exitCode);
      },
      force: () => {
        exitCode = 1;
        stopAll('SIGKILL');
      },
    });

    for (let i = 0; i < options.processes; i += 1) fork();
  });
}
