// Real MCP servers for the service tests, from the packages installed for them: the reference
// "everything" server (stdio and Streamable HTTP) and the filesystem server.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './harness';

const require = createRequire(import.meta.url);
const entry = (name: string) => join(dirname(require.resolve(`${name}/package.json`)), 'dist', 'index.js');

export const EVERYTHING = entry('@modelcontextprotocol/server-everything');
export const FILESYSTEM = entry('@modelcontextprotocol/server-filesystem');

export interface HttpMcpServer {
  url: string;
  process: ChildProcess;
  close(): Promise<void>;
}

/** Starts the everything server over Streamable HTTP (port from PORT); resolves once it listens. */
export async function startEverythingHttp(): Promise<HttpMcpServer> {
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

/** Writes an MCP config file (in a temp directory of its own) and returns its path. */
export function writeMcpConfig(config: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cody-mcp-config-')), 'mcp.json');
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return file;
}

/** The stdio everything server as the config starts it (in exec's sandbox, where the machine has one). */
export function everythingStdio() {
  return { command: process.execPath, args: [EVERYTHING, 'stdio'] };
}

/**
 * The host pids of this process's descendants running the stdio everything server (from /proc).
 * A server in the sandbox cannot tell its own host pid (its /proc is its PID namespace's), so the
 * tests find it from outside; bubblewrap's processes, whose argv only ends with the server's, are not it.
 */
export function everythingStdioPids(): number[] {
  const argv = [process.execPath, EVERYTHING, 'stdio'].join('\0');
  const parents = new Map<number, number>();
  const commands = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      commands.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0$/, ''));
    } catch {
      // gone meanwhile
    }
  }
  const descends = (pid: number) => {
    for (let at = parents.get(pid); at !== undefined && at > 1; at = parents.get(at))
      if (at === process.pid) return true;
    return false;
  };
  return [...commands].filter(([pid, command]) => command === argv && descends(pid)).map(([pid]) => pid);
}
