import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** Ports the OS handed out for port-0 binds, all held at once so none repeats. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Polls `check` every 50 ms until it holds; fails naming `what` after `timeoutMs` (a hang guard). */
export async function poll(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** SIGTERM, resolved once the process exited. */
export async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A `redis-server` on loopback `port`, nothing persisted, files in `dir`; `extra` arguments last. */
export function spawnRedisServer(
  bin: string,
  port: number,
  dir: string,
  extra: readonly string[] = [],
): ChildProcess {
  return spawn(
    bin,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

/** A one-shot client for readiness checks: no retries, errors swallowed (the check just fails). */
export function probe(port: number, host = '127.0.0.1'): Redis {
  return new Redis({ host, port, retryStrategy: () => null, maxRetriesPerRequest: 0 }).on('error', () => {});
}
