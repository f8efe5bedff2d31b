// stdio MCP servers under exec's sandbox rules, against the real reference servers: what they can
// run, see and reach inside bubblewrap, what they get of the environment, and what happens with
// no sandbox or with the sandbox turned off.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareExecSandbox } from '@cody/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpHub, type McpHubOptions, parseMcpConfig } from '../src/index';
import { descendantPids, EVERYTHING, FILESYSTEM, startEverythingHttp, until } from './mcp-test-servers';

const bwrap = await prepareExecSandbox();
const SECRET = `outside-secret-${randomUUID()}`;
const PARENT_KEY = `sk-parent-${randomUUID()}`;
const everythingArgv = [process.execPath, EVERYTHING, 'stdio'];
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const call = (hub: McpHub, name: string, args: object) =>
  hub.callTool(name, JSON.stringify(args), { timeoutMs: 15_000 });

let workspace: string;
let outside: string;
let web: Server;
let webUrl: string;
const webRequests: string[] = [];
const savedEnv = { OPENAI_API_KEY: process.env.OPENAI_API_KEY, REDIS_URL: process.env.REDIS_URL };

beforeAll(async () => {
  workspace = realpathSync(mkdtempSync(join(tmpdir(), 'cody-mcp-sandbox-ws-')));
  outside = realpathSync(mkdtempSync(join(tmpdir(), 'cody-mcp-sandbox-outside-')));
  writeFileSync(join(workspace, 'notes.txt'), 'inside the workspace\n');
  writeFileSync(join(outside, 'secret.txt'), SECRET);
  // secrets in the worker's own environment, which a server must never get
  process.env.OPENAI_API_KEY = PARENT_KEY;
  process.env.REDIS_URL = `redis://:${PARENT_KEY}@127.0.0.1:6379`;
  // a web server on the host's loopback: reachable only with the network on
  web = createServer((request, response) => {
    webRequests.push(request.url ?? '');
    response.end('served from the host');
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webUrl = `http://127.0.0.1:${(web.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await new Promise((resolve) => web?.close(resolve));
  rmSync(workspace, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** A hub of the everything server and a filesystem server allowed all of `/` by its own arguments. */
function hubOf(options: Partial<McpHubOptions> = {}): McpHub {
  const config = parseMcpConfig(
    JSON.stringify({
      mcpServers: {
        everything: {
          command: everythingArgv[0],
          args: everythingArgv.slice(1),
          env: { FROM_CONFIG: 'in-config', GZIP_MAX_FETCH_TIME_MILLIS: '5000' },
        },
        // the server would read anything: only the sandbox stands between it and the host
        files: { command: process.execPath, args: [FILESYSTEM, '/'] },
      },
    }),
    'sandbox.json',
  );
  // no baseEnv: the default, exec's environment of this process (which holds the secrets above)
  return new McpHub({ config, cwd: workspace, backoffMs: 50, maxBackoffMs: 500, ...options });
}

const fetchThroughServer = (hub: McpHub, path: string) =>
  call(hub, 'mcp__everything__gzip-file-as-resource', {
    name: 'page.gz',
    data: `${webUrl}${path}`,
    outputType: 'resource',
  });

describe.skipIf(bwrap.kind !== 'bwrap')('stdio MCP servers in the bubblewrap sandbox', () => {
  let hub: McpHub;
  beforeAll(async () => {
    hub = hubOf();
    await hub.start();
  });
  afterAll(() => hub?.stop());

  it('run inside their own PID namespace, and still answer: echo', async () => {
    expect(hub.status().map((server) => [server.name, server.state, server.error])).toEqual([
      ['everything', 'ready', undefined],
      ['files', 'ready', undefined],
    ]);
    expect(await call(hub, 'mcp__everything__echo', { message: 'sandboxed' })).toEqual({
      success: true,
      output: 'Echo: sandboxed',
    });
    const [pid] = descendantPids(everythingArgv);
    // NSpid lists the pid in each PID namespace it is in: the host's and the sandbox's
    const nspid = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^NSpid:\s+(.*)$/m)?.[1];
    expect(nspid?.split(/\s+/)).toHaveLength(2);
  });

  it('read and write inside the workspace', async () => {
    expect(await call(hub, 'mcp__files__read_text_file', { path: join(workspace, 'notes.txt') })).toEqual({
      success: true,
      output: 'inside the workspace\n',
    });
    const wrote = await call(hub, 'mcp__files__write_file', {
      path: join(workspace, 'written.txt'),
      content: 'from the sandbox',
    });
    expect(wrote.success).toBe(true);
    expect(readFileSync(join(workspace, 'written.txt'), 'utf8')).toBe('from the sandbox');
  });

  it('cannot see a file outside the workspace, nor the host’s /etc, though the server itself allows all of /', async () => {
    const secret = await call(hub, 'mcp__files__read_text_file', { path: join(outside, 'secret.txt') });
    expect(secret.success).toBe(false);
    expect(secret.output).toContain('ENOENT');
    expect(secret.output).not.toContain(SECRET);
    const listing = await call(hub, 'mcp__files__list_directory', { path: outside });
    expect(listing.success).toBe(false);
    expect(listing.output).toContain('ENOENT');
    const hostname = await call(hub, 'mcp__files__read_text_file', { path: '/etc/hostname' });
    expect(hostname.success).toBe(false);
    expect(hostname.output).toContain('ENOENT');
  });

  it('get exec’s environment plus their config env: not the worker’s keys', async () => {
    const result = await call(hub, 'mcp__everything__get-env', {});
    expect(result.success).toBe(true);
    expect(result.output).not.toContain(PARENT_KEY);
    const env = JSON.parse(result.output) as Record<string, string>;
    expect(env.FROM_CONFIG).toBe('in-config');
    expect(env.HOME).toBe(workspace);
    expect(env.OPENAI_API_KEY).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
    // PWD: bubblewrap sets it to the directory it starts the server in
    const allowed = new Set([
      'PATH',
      'LANG',
      'TERM',
      'HOME',
      'PWD',
      'FROM_CONFIG',
      'GZIP_MAX_FETCH_TIME_MILLIS',
    ]);
    expect(Object.keys(env).filter((name) => !allowed.has(name))).toEqual([]);
  });

  it('reach no port of the host with the network off (exec’s default)', async () => {
    const fetched = await fetchThroughServer(hub, '/network-off');
    expect(fetched.success).toBe(false);
    expect(fetched.output).toMatch(/fetch failed|ECONNREFUSED/);
    expect(webRequests).not.toContain('/network-off');
  });

  it('killed: the call fails, the server is started again in a new sandbox and answers', async () => {
    const [firstPid] = descendantPids(everythingArgv);
    const running = call(hub, 'mcp__everything__trigger-long-running-operation', { duration: 30, steps: 3 });
    process.kill(firstPid as number, 'SIGKILL');
    expect(await running).toMatchObject({ success: false, error: { code: 'MCP_SERVER_UNAVAILABLE' } });
    await until(
      () =>
        hub.status()[0]?.state === 'ready' && descendantPids(everythingArgv).some((pid) => pid !== firstPid),
      'the server to be restarted',
    );
    expect(await call(hub, 'mcp__everything__echo', { message: 'back' })).toEqual({
      success: true,
      output: 'Echo: back',
    });
    expect(descendantPids(everythingArgv)).toHaveLength(1);
  });

  it('stop leaves nothing running: the server and its sandbox are gone', async () => {
    const other = hubOf();
    await other.start();
    const before = descendantPids(everythingArgv).length;
    expect(before).toBe(2); // this hub's and the suite's
    await other.stop();
    await until(() => descendantPids(everythingArgv).length === 1, 'the stopped hub’s server to exit');
    expect(other.status().every((server) => server.state === 'stopped')).toBe(true);
  });

  it('start as a person configures them: a package’s bin linked onto PATH, a pnpm bin shim', async () => {
    const bin = realpathSync(mkdtempSync(join(tmpdir(), 'cody-mcp-sandbox-bin-')));
    // like a global install: <bin>/mcp-server-everything -> …/node_modules/…/dist/index.js (#!/usr/bin/env node)
    symlinkSync(EVERYTHING, join(bin, 'mcp-server-everything'));
    const shim = join(packageDir, 'node_modules', '.bin', 'mcp-server-everything');
    const config = parseMcpConfig(
      JSON.stringify({
        mcpServers: {
          linked: {
            command: 'mcp-server-everything',
            args: ['stdio'],
            env: { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin` },
          },
          shim: { command: shim, args: ['stdio'] },
        },
      }),
      'bins.json',
    );
    const bins = new McpHub({ config, cwd: workspace });
    try {
      await bins.start();
      expect(bins.status().map((server) => [server.name, server.state, server.error])).toEqual([
        ['linked', 'ready', undefined],
        ['shim', 'ready', undefined],
      ]);
      expect((await call(bins, 'mcp__linked__echo', { message: 'linked' })).output).toBe('Echo: linked');
      expect((await call(bins, 'mcp__shim__echo', { message: 'shim' })).output).toBe('Echo: shim');
    } finally {
      await bins.stop();
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('with CODY_EXEC_NETWORK=on (network: true) they reach the host', async () => {
    const online = hubOf({ sandbox: { network: true } });
    try {
      await online.start();
      const fetched = await fetchThroughServer(online, '/network-on');
      expect(fetched.success).toBe(true);
      expect(webRequests).toContain('/network-on');
    } finally {
      await online.stop();
    }
  });
});

describe('stdio MCP servers without a sandbox', () => {
  it('bubblewrap missing: not started, the state says why and how to fix it; HTTP servers still work', async () => {
    const http = await startEverythingHttp();
    const config = parseMcpConfig(
      JSON.stringify({
        mcpServers: {
          everything: { command: everythingArgv[0], args: everythingArgv.slice(1) },
          remote: { url: http.url },
        },
      }),
      'no-sandbox.json',
    );
    const hub = new McpHub({ config, cwd: workspace, sandbox: { bwrapPath: join(outside, 'no-bwrap') } });
    try {
      await hub.start();
      const [everything, remote] = hub.status();
      expect(everything?.state).toBe('down');
      expect(everything?.error).toContain('SANDBOX_UNAVAILABLE');
      expect(everything?.error).toContain(
        `bubblewrap is not installed (no executable ${join(outside, 'no-bwrap')})`,
      );
      expect(everything?.error).toContain('CODY_EXEC_SANDBOX=off');
      expect(remote?.state).toBe('ready');
      const refused = await call(hub, 'mcp__everything__echo', { message: 'x' });
      expect(refused).toMatchObject({ success: false, error: { code: 'MCP_SERVER_UNAVAILABLE' } });
      expect(refused.output).toContain('bubblewrap is not installed');
      expect(descendantPids(everythingArgv)).toEqual([]);
      expect((await call(hub, 'mcp__remote__echo', { message: 'over http' })).output).toBe('Echo: over http');
    } finally {
      await hub.stop();
      await http.close();
    }
  });

  it('CODY_EXEC_SANDBOX=off (mode off): unconfined like exec — the host is visible — but still exec’s environment', async () => {
    const hub = hubOf({ sandbox: { mode: 'off' } });
    try {
      await hub.start();
      expect(await call(hub, 'mcp__files__read_text_file', { path: join(outside, 'secret.txt') })).toEqual({
        success: true,
        output: SECRET,
      });
      const env = JSON.parse((await call(hub, 'mcp__everything__get-env', {})).output) as Record<
        string,
        string
      >;
      expect(env.FROM_CONFIG).toBe('in-config');
      expect(env.OPENAI_API_KEY).toBeUndefined();
      expect(env.REDIS_URL).toBeUndefined();
      expect(env.HOME).toBe(workspace);
    } finally {
      await hub.stop();
    }
  });
});
