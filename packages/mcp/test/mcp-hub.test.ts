import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandEnv, prepareExecSandbox } from '@cody/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpHub, parseMcpConfig } from '../src/index';
import { descendantPids, EVERYTHING, FILESYSTEM, startEverythingHttp, until } from './mcp-test-servers';

const workspace = realpathSync(mkdtempSync(join(tmpdir(), 'cody-mcp-hub-')));
const everythingArgv = [process.execPath, EVERYTHING, 'stdio'];
const growing = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'growing-server.mjs');
let http: Awaited<ReturnType<typeof startEverythingHttp>>;
let hub: McpHub;

const state = (name: string) => hub.status().find((server) => server.name === name)?.state;
// the stdio everything server's host pid (exactly one runs at a time)
const everythingPid = () => {
  const pids = descendantPids(everythingArgv);
  if (pids.length !== 1) throw new Error(`expected one everything server, found ${pids.length}`);
  return pids[0] as number;
};
// stdio servers run in exec's sandbox where the machine has bubblewrap; where not, unconfined (as a
// person would set CODY_EXEC_SANDBOX=off: exec's rule), and sandboxed-stdio.test.ts skips, saying why
const sandbox = await prepareExecSandbox();
if (sandbox.kind === 'unavailable')
  console.warn(`MCP servers run unconfined: no sandbox here (${sandbox.reason})`);

beforeAll(async () => {
  writeFileSync(join(workspace, 'notes.txt'), 'notes: Grüße\n');
  http = await startEverythingHttp();
  const config = parseMcpConfig(
    JSON.stringify({
      mcpServers: {
        everything: {
          command: everythingArgv[0],
          args: everythingArgv.slice(1),
          env: { FROM_CONFIG: 'yes' },
        },
        remote: { url: http.url },
        files: { command: process.execPath, args: [FILESYSTEM, workspace] },
        growing: { command: process.execPath, args: [growing] },
        broken: { command: join(workspace, 'no-such-server') },
      },
    }),
    'test.json',
  );
  hub = new McpHub({
    config,
    cwd: workspace,
    // exec's environment, built from a worker environment holding secrets
    baseEnv: commandEnv({ ...process.env, OPENAI_API_KEY: 'sk-secret', REDIS_URL: 'redis://x' }, ['LANG']),
    ...(sandbox.kind === 'unavailable' ? { sandbox: { mode: 'off' as const } } : {}),
    backoffMs: 50,
    maxBackoffMs: 500,
  });
  await hub.start();
});
afterAll(async () => {
  await hub?.stop();
  await http?.close();
  rmSync(workspace, { recursive: true, force: true });
});

describe('McpHub against real MCP servers', () => {
  it('connects stdio and Streamable HTTP servers; a broken one is down and the others ready', () => {
    expect(Object.fromEntries(hub.status().map((s) => [s.name, s.state]))).toEqual({
      everything: 'ready',
      remote: 'ready',
      files: 'ready',
      growing: 'ready',
      broken: 'down',
    });
    expect(hub.status().find((s) => s.name === 'broken')?.error).toContain('ENOENT');
    const names = hub.tools().map((tool) => tool.name);
    expect(names).toContain('mcp__everything__echo');
    expect(names).toContain('mcp__remote__echo');
    expect(names).toContain('mcp__files__read_text_file');
    // readOnlyHint is kept; unannotated or side-effecting tools are not read-only
    expect(hub.tool('mcp__everything__echo')?.readOnly).toBe(true);
    expect(hub.tool('mcp__files__write_file')?.readOnly).toBe(false);
    expect(hub.tool('mcp__growing__grow')?.readOnly).toBe(false);
    expect(hub.tool('mcp__everything__echo')?.parameters).toEqual({
      type: 'object',
      properties: { message: { type: 'string', description: 'Message to echo' } },
      required: ['message'],
    });
  });

  it('echo over stdio and over HTTP: the servers’ real output', async () => {
    expect(
      await hub.callTool('mcp__everything__echo', '{"message":"hi there"}', { timeoutMs: 10_000 }),
    ).toEqual({
      success: true,
      output: 'Echo: hi there',
    });
    expect(await hub.callTool('mcp__remote__echo', '{"message":"over http"}', { timeoutMs: 10_000 })).toEqual(
      {
        success: true,
        output: 'Echo: over http',
      },
    );
  });

  it('an MCP error and an isError result are failures with the server’s message', async () => {
    const invalid = await hub.callTool('mcp__everything__echo', '{"msg":"x"}', { timeoutMs: 10_000 });
    expect(invalid.success).toBe(false);
    expect(invalid.error?.code).toBe('MCP_TOOL_ERROR');
    expect(invalid.output).toContain('Input validation error');
    const denied = await hub.callTool(
      'mcp__files__read_text_file',
      JSON.stringify({ path: '/etc/hostname' }),
      {
        timeoutMs: 10_000,
      },
    );
    expect(denied).toMatchObject({ success: false, error: { code: 'MCP_TOOL_ERROR' } });
    expect(denied.output).toContain('Access denied');
    expect(await hub.callTool('mcp__everything__echo', '{not json', { timeoutMs: 1000 })).toMatchObject({
      success: false,
      error: { code: 'INVALID_TOOL_ARGUMENTS' },
    });
    expect(await hub.callTool('mcp__nobody__echo', '{}', { timeoutMs: 1000 })).toMatchObject({
      success: false,
      error: { code: 'UNKNOWN_TOOL' },
    });
  });

  it('the filesystem server reads a workspace file; images are summarised with their MIME type', async () => {
    expect(
      await hub.callTool(
        'mcp__files__read_text_file',
        JSON.stringify({ path: join(workspace, 'notes.txt') }),
        {
          timeoutMs: 10_000,
        },
      ),
    ).toEqual({ success: true, output: 'notes: Grüße\n' });
    const image = await hub.callTool('mcp__everything__get-tiny-image', '{}', { timeoutMs: 10_000 });
    expect(image.success).toBe(true);
    expect(image.output).toMatch(/\[image: image\/png, \d+ bytes\]/);
  });

  it('a long-running call times out; a cancelled one is cancelled; the server keeps serving', async () => {
    const slow = await hub.callTool(
      'mcp__everything__trigger-long-running-operation',
      '{"duration":30,"steps":3}',
      {
        timeoutMs: 300,
      },
    );
    expect(slow).toMatchObject({ success: false, error: { code: 'TOOL_TIMEOUT' } });
    expect(slow.output).toBe('mcp__everything__trigger-long-running-operation timed out after 300 ms');
    const controller = new AbortController();
    const call = hub.callTool('mcp__remote__trigger-long-running-operation', '{"duration":30,"steps":3}', {
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    controller.abort('the run was cancelled');
    expect(await call).toMatchObject({ success: false, error: { code: 'TOOL_CANCELLED' } });
    expect(
      (await hub.callTool('mcp__remote__echo', '{"message":"still"}', { timeoutMs: 10_000 })).output,
    ).toBe('Echo: still');
  });

  it('a stdio server gets exec’s environment (HOME the workspace) plus its config env, no secrets', async () => {
    const result = await hub.callTool('mcp__everything__get-env', '{}', { timeoutMs: 10_000 });
    const env = JSON.parse(result.output) as Record<string, string>;
    expect(env.FROM_CONFIG).toBe('yes');
    expect(env.HOME).toBe(workspace);
    expect(env.OPENAI_API_KEY).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
    // PWD: bubblewrap sets it to the directory it starts the server in
    if (env.PWD !== undefined) expect(env.PWD).toBe(workspace);
    const allowed = new Set(['PATH', 'HOME', 'LANG', 'TERM', 'FROM_CONFIG', 'PWD']);
    expect(Object.keys(env).filter((name) => !allowed.has(name))).toEqual([]);
  });

  it('follows notifications/tools/list_changed', async () => {
    expect(hub.tool('mcp__growing__grown-1')).toBeUndefined();
    expect(await hub.callTool('mcp__growing__grow', '{}', { timeoutMs: 10_000 })).toEqual({
      success: true,
      output: 'added grown-1',
    });
    await until(() => hub.tool('mcp__growing__grown-1') !== undefined, 'the new tool to be listed');
    expect(await hub.callTool('mcp__growing__grown-1', '{}', { timeoutMs: 10_000 })).toEqual({
      success: true,
      output: 'grown-1 answered',
    });
  });

  it('a killed stdio server: the running call fails, its tools are unavailable, it comes back, others keep working', async () => {
    const firstPid = everythingPid();
    const running = hub.callTool(
      'mcp__everything__trigger-long-running-operation',
      '{"duration":30,"steps":3}',
      {
        timeoutMs: 60_000,
      },
    );
    process.kill(firstPid, 'SIGKILL');
    const failed = await running;
    expect(failed).toMatchObject({ success: false, error: { code: 'MCP_SERVER_UNAVAILABLE' } });
    expect(failed.output).toContain('MCP server "everything"');
    // the other servers are not affected while it restarts
    expect(
      (await hub.callTool('mcp__remote__echo', '{"message":"meanwhile"}', { timeoutMs: 10_000 })).output,
    ).toBe('Echo: meanwhile');
    await until(
      () => state('everything') === 'ready' && descendantPids(everythingArgv).some((pid) => pid !== firstPid),
      'the server to be restarted',
    );
    expect(await hub.callTool('mcp__everything__echo', '{"message":"back"}', { timeoutMs: 10_000 })).toEqual({
      success: true,
      output: 'Echo: back',
    });
  });

  it('while a server is down its tools answer MCP_SERVER_UNAVAILABLE at once', async () => {
    const result = await hub.callTool('mcp__broken__anything', '{}', { timeoutMs: 10_000 });
    expect(result).toMatchObject({ success: false, error: { code: 'MCP_SERVER_UNAVAILABLE' } });
    expect(result.output).toMatch(/^MCP_SERVER_UNAVAILABLE: MCP server "broken" is (down|connecting)/);
  });
});
