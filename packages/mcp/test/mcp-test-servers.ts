// Real MCP servers for the tests: the reference "everything" server (stdio and Streamable HTTP)
// and the filesystem server, run with this Node from their installed packages.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const entry = (name: string) => join(dirname(require.resolve(`${name}/package.json`)), 'dist', 'index.js');

export const EVERYTHING = entry('@modelcontextprotocol/server-everything');
export const FILESYSTEM = entry('@modelcontextprotocol/server-filesystem');

/** A free TCP port on loopback (the everything server takes its port from PORT). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the everything server over Streamable HTTP; resolves once it listens. */
export async function startEverythingHttp(): Promise<{
  url: string;
  process: ChildProcess;
  close(): Promise<void>;
}> {
  const port = await freePort();
  const child = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stderr?.on('data', (data: Buffer) => {
      output += data.toString();
      if (output.includes('listening on port')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`everything (http) exited ${code}: ${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    process: child,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Resolves once `condition` holds (checked every 20 ms); fails naming `what` if it never does. */
export async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The host pids of this process's descendants running exactly `argv` (from /proc). A server in
 * the sandbox cannot tell its own host pid (its /proc is its PID namespace's), so the tests find
 * it from outside; bubblewrap's own processes, whose argv only ends with the server's, are not it.
 */
export function descendantPids(argv: readonly string[]): number[] {
  const parents = new Map<number, number>();
  const commands = new Map<number, string[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
      commands.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').slice(0, -1));
    } catch {
      // gone meanwhile
    }
  }
  const descends = (pid: number) => {
    for (let at = parents.get(pid); at !== undefined && at > 1; at = parents.get(at))
      if (at === process.pid) return true;
    return false;
  };
  return [...commands]
    .filter(([pid, command]) => command.join('\0') === argv.join('\0') && descends(pid))
    .map(([pid]) => pid);
}
