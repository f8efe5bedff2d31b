// Real MCP servers for the service tests, from the packages installed for them: the reference
// "everything" server (stdio and Streamable HTTP) and the filesystem server.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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

/**
 * The stdio everything server as the config starts it. Through `sh -c … exec` so it writes its
 * pid (the server's own, after exec) into the workspace, its working directory.
 */
export function everythingStdio(pidFile = 'everything.pid') {
  return {
    command: 'sh',
    args: ['-c', `echo $$ > ${pidFile}; exec '${process.execPath}' '${EVERYTHING}' stdio`],
  };
}
