// Tools from MCP servers, end to end: real servers (everything over stdio and Streamable HTTP,
// filesystem rooted in the workspace) configured by CODY_MCP_CONFIG, called by the test LLM
// through the real adapters, executed by the real tool worker.
import { randomUUID } from 'node:crypto';
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Rule, replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { type Stack, startStack } from './harness';
import {
  everythingStdio,
  everythingStdioPids,
  FILESYSTEM,
  type HttpMcpServer,
  startEverythingHttp,
  writeMcpConfig,
} from './support-mcp-servers';
import { runServerUntilExit } from './support-processes';
import { agentMessages, itemsOf, runToEnd } from './support-runs';
import { startWorkerChild, type WorkerChild } from './support-stream-helpers';

interface McpServerView {
  name: string;
  transport: string;
  state: string;
  error?: string;
  tools: { name: string; tool: string; readOnly: boolean }[];
}

const TOKEN = randomUUID();
const NOTES = `mcp notes: Grüße ${TOKEN}\n`;

/** Step 1 calls the tool, step 2 says what it got back. */
const callThenReport = (marker: string, name: string, args: Record<string, unknown>): Rule[] => [
  { match: { marker, step: 1 }, reply: replies.toolCalls([{ name, arguments: args }]) },
  {
    match: { marker, step: 2 },
    reply: (request) => {
      // OpenAI has no error flag: the adapter prefixes a failed output with "Error: "
      return replies.text(`got: ${request.stepToolResults[0]?.output ?? '(nothing)'}`);
    },
  },
];

let http: HttpMcpServer;
let stack: Stack;

async function mcpServers(of: Stack): Promise<McpServerView[]> {
  const reply = await of.api<{ mcpServers: McpServerView[] }>('GET', '/api/v2/config');
  expect(reply.status).toBe(200);
  return reply.json.mcpServers;
}

/** Polls GET /api/v2/config until `done` holds for the server `name`. */
async function waitForServer(of: Stack, name: string, done: (server: McpServerView) => boolean) {
  for (;;) {
    const server = (await mcpServers(of)).find((s) => s.name === name);
    if (server && done(server)) return server;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  http = await startEverythingHttp();
  const config = writeMcpConfig({
    mcpServers: {
      everything: { ...everythingStdio(), env: { MCP_TEST_VALUE: TOKEN } },
      remote: { url: http.url },
      // relative to its working directory: the workspace
      files: { command: process.execPath, args: [FILESYSTEM, '.'] },
    },
  });
  stack = await startStack({
    env: { CODY_MCP_CONFIG: config },
    rules: [
      ...callThenReport('MCP-ECHO', 'mcp__everything__echo', { message: `hello ${TOKEN}` }),
      ...callThenReport('MCP-HTTP', 'mcp__remote__echo', { message: `over http ${TOKEN}` }),
      ...callThenReport('MCP-ERROR', 'mcp__files__read_text_file', { path: '/etc/hostname' }),
      ...callThenReport('MCP-INVALID', 'mcp__everything__echo', { text: 'not the field it takes' }),
      ...callThenReport('MCP-ENV', 'mcp__everything__get-env', {}),
      ...callThenReport('MCP-KILL', 'mcp__everything__trigger-long-running-operation', {
        duration: 60,
        steps: 60,
      }),
      ...callThenReport('MCP-AFTER', 'mcp__everything__echo', { message: 'back again' }),
      {
        match: { marker: 'MCP-FILE', step: 1 },
        // the workspace exists once the stack does: the path is made when the model is asked
        reply: () =>
          replies.toolCalls([
            {
              name: 'mcp__files__read_text_file',
              arguments: { path: join(realpathSync(stack.workspace), 'notes.txt') },
            },
          ]),
      },
      ...callThenReport('MCP-FILE', 'mcp__files__read_text_file', {}).slice(1),
    ],
  });
  writeFileSync(join(stack.workspace, 'notes.txt'), NOTES);
});
afterAll(async () => {
  await stack?.close();
  await http?.close();
});

const providers = [
  ['openai', 'gpt-5-mini'],
  ['anthropic', 'claude-haiku-4.5'],
] as const;

describe('MCP tools', () => {
  it('GET /api/v2/config lists the servers, their state and tool names', async () => {
    const servers = await mcpServers(stack);
    expect(servers.map((s) => [s.name, s.transport, s.state])).toEqual([
      ['everything', 'stdio', 'ready'],
      ['files', 'stdio', 'ready'],
      ['remote', 'http', 'ready'],
    ]);
    const everything = servers.find((s) => s.name === 'everything');
    expect(everything?.tools).toContainEqual({ name: 'mcp__everything__echo', tool: 'echo', readOnly: true });
    expect(servers.find((s) => s.name === 'files')?.tools).toContainEqual({
      name: 'mcp__files__write_file',
      tool: 'write_file',
      readOnly: false,
    });
  });

  it.each(providers)(
    '%s: mcp__everything__echo is declared with its schema and answers with the server’s output',
    async (providerId, model) => {
      const run = await runToEnd(stack, { prompt: `echo it MCP-ECHO ${providerId}`, providerId, model });
      expect(run.stored.status).toBe('complete');
      expect(run.stored).toEqual(run.hydrated);
      const [call] = itemsOf(run.stored, 'function_call');
      const [output] = itemsOf(run.stored, 'function_call_output');
      expect(call?.name).toBe('mcp__everything__echo');
      expect(output).toMatchObject({ call_id: call?.call_id, success: true, output: `Echo: hello ${TOKEN}` });
      expect(agentMessages(run.stored).at(-1)?.content).toBe(`got: Echo: hello ${TOKEN}`);
      // the model was told about the MCP tools beside the built-in ones
      const [first] = stack.llm.findRequests({ marker: `MCP-ECHO ${providerId}` });
      const declared = new Map(first?.tools.map((tool) => [tool.name, tool]));
      expect(declared.has('readFile')).toBe(true);
      expect(declared.has('mcp__remote__echo')).toBe(true);
      expect(declared.has('mcp__files__read_text_file')).toBe(true);
      expect(declared.get('mcp__everything__echo')).toEqual({
        name: 'mcp__everything__echo',
        description: 'Echoes back the input string',
        parameters: {
          type: 'object',
          properties: { message: { type: 'string', description: 'Message to echo' } },
          required: ['message'],
        },
      });
    },
  );

  it('a Streamable HTTP server’s tool', async () => {
    const run = await runToEnd(stack, { prompt: 'MCP-HTTP', providerId: 'openai', model: 'gpt-5-mini' });
    const [output] = itemsOf(run.stored, 'function_call_output');
    expect(output).toMatchObject({ success: true, output: `Echo: over http ${TOKEN}` });
  });

  it('the filesystem server reads a workspace file: its real bytes', async () => {
    const run = await runToEnd(stack, {
      prompt: 'MCP-FILE',
      providerId: 'anthropic',
      model: 'claude-haiku-4.5',
    });
    const [output] = itemsOf(run.stored, 'function_call_output');
    expect(output).toMatchObject({ success: true, output: NOTES });
  });

  it('a tool that returns an error (isError) and an MCP error are success: false with the server’s message', async () => {
    const denied = await runToEnd(stack, { prompt: 'MCP-ERROR', providerId: 'openai', model: 'gpt-5-mini' });
    expect(denied.stored.status).toBe('complete');
    const [deniedOutput] = itemsOf(denied.stored, 'function_call_output');
    expect(deniedOutput?.success).toBe(false);
    expect(deniedOutput?.output).toMatch(
      /^Access denied - path outside allowed directories: \/etc\/hostname/,
    );
    expect(agentMessages(denied.stored).at(-1)?.content).toBe(`got: Error: ${deniedOutput?.output}`);

    const invalid = await runToEnd(stack, {
      prompt: 'MCP-INVALID',
      providerId: 'anthropic',
      model: 'claude-haiku-4.5',
    });
    const [invalidOutput] = itemsOf(invalid.stored, 'function_call_output');
    expect(invalidOutput?.success).toBe(false);
    expect(invalidOutput?.output).toContain('Input validation error');
  });

  it('a stdio server runs with exec’s environment (HOME the workspace) plus its config env, without the worker’s secrets', async () => {
    const run = await runToEnd(stack, { prompt: 'MCP-ENV', providerId: 'openai', model: 'gpt-5-mini' });
    const [output] = itemsOf(run.stored, 'function_call_output');
    const env = JSON.parse(output?.output ?? '{}') as Record<string, string>;
    expect(env.MCP_TEST_VALUE).toBe(TOKEN);
    // exec's rules: HOME is the workspace
    expect(env.HOME).toBe(realpathSync(stack.workspace));
    // PATH, HOME, LANG, TERM (those the server's configuration has); PWD set by bubblewrap
    const allowed = new Set(['PATH', 'HOME', 'LANG', 'TERM', 'MCP_TEST_VALUE', 'PWD']);
    expect(Object.keys(env).filter((name) => !allowed.has(name))).toEqual([]);
    // the stack's provider keys and Redis settings stay in the worker
    expect(env.OPENAI_API_KEY).toBeUndefined();
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.CODY_REDIS_PREFIX).toBeUndefined();
  });

  it('a stdio server killed mid-run: its call fails cleanly, the server comes back, the next call works', async () => {
    const pids = everythingStdioPids();
    expect(pids).toHaveLength(1);
    const firstPid = pids[0] as number;
    const submitted = await stack.submit({ prompt: 'MCP-KILL', providerId: 'openai', model: 'gpt-5-mini' });
    let killed = false;
    await stack.readStream(submitted.runId, {
      onMessage(message) {
        const event = JSON.parse(message.data) as {
          payload?: { type?: string; final_item?: { type?: string } };
        };
        if (
          !killed &&
          event.payload?.type === 'item_done' &&
          event.payload.final_item?.type === 'function_call'
        ) {
          killed = true;
          process.kill(firstPid, 'SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    const stored = await stack.waitForRun(submitted.runId);
    expect(stored.status).toBe('complete');
    const [output] = itemsOf(stored, 'function_call_output');
    expect(output?.success).toBe(false);
    expect(output?.output).toMatch(/^MCP_SERVER_UNAVAILABLE: MCP server "everything" is (down|connecting)/);
    expect(agentMessages(stored).at(-1)?.content).toBe(`got: Error: ${output?.output}`);

    // the others kept working while it was down; then it is back with a new process
    const remote = await runToEnd(stack, {
      prompt: 'MCP-HTTP',
      providerId: 'anthropic',
      model: 'claude-haiku-4.5',
    });
    expect(itemsOf(remote.stored, 'function_call_output')[0]?.success).toBe(true);
    await waitForServer(stack, 'everything', (s) => s.state === 'ready');
    expect(everythingStdioPids()).toHaveLength(1);
    expect(everythingStdioPids()).not.toContain(firstPid);
    const after = await runToEnd(stack, { prompt: 'MCP-AFTER', providerId: 'openai', model: 'gpt-5-mini' });
    expect(itemsOf(after.stored, 'function_call_output')[0]).toMatchObject({
      success: true,
      output: 'Echo: back again',
    });
  });
});

describe('an MCP call that runs too long', () => {
  let slow: Stack;
  beforeAll(async () => {
    slow = await startStack({
      // the tool timeout every tool call has, MCP ones included
      env: {
        CODY_MCP_CONFIG: writeMcpConfig({ mcpServers: { everything: everythingStdio() } }),
        CODY_TOOL_TIMEOUT_MS: '1000',
      },
      rules: [
        ...callThenReport('MCP-SLOW', 'mcp__everything__trigger-long-running-operation', {
          duration: 60,
          steps: 2,
        }),
        ...callThenReport('MCP-QUICK', 'mcp__everything__echo', { message: 'quick' }),
      ],
    });
  });
  afterAll(() => slow?.close());

  it('times out with the tool timeout, and the server keeps serving', async () => {
    const run = await runToEnd(slow, {
      prompt: 'MCP-SLOW',
      providerId: 'anthropic',
      model: 'claude-haiku-4.5',
    });
    expect(run.stored.status).toBe('complete');
    const [output] = itemsOf(run.stored, 'function_call_output');
    expect(output).toMatchObject({
      success: false,
      output: 'mcp__everything__trigger-long-running-operation timed out after 1000 ms',
    });
    const quick = await runToEnd(slow, { prompt: 'MCP-QUICK', providerId: 'openai', model: 'gpt-5-mini' });
    expect(itemsOf(quick.stored, 'function_call_output')[0]).toMatchObject({
      success: true,
      output: 'Echo: quick',
    });
  });
});

describe('MCP tools with the tool worker in another process', () => {
  let apiOnly: Stack;
  let worker: WorkerChild | undefined;
  beforeAll(async () => {
    apiOnly = await startStack({
      env: { CODY_WORKERS: 'none' },
      rules: callThenReport('MCP-REMOTE-WORKER', 'mcp__everything__echo', {
        message: 'from the worker process',
      }),
    });
    // the driver (in the server) learns the tools from what this worker publishes in Redis
    worker = await startWorkerChild({
      REDIS_URL: apiOnly.env.REDIS_URL as string,
      CODY_REDIS_PREFIX: apiOnly.prefix,
      CODY_WORKSPACE: apiOnly.workspace,
      CODY_MCP_CONFIG: writeMcpConfig({ mcpServers: { everything: everythingStdio() } }),
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await apiOnly?.close();
  });

  it('the server declares the worker’s MCP tools and the worker runs them', async () => {
    const server = await waitForServer(apiOnly, 'everything', (s) => s.state === 'ready');
    expect(server.tools.map((tool) => tool.name)).toContain('mcp__everything__echo');
    const run = await runToEnd(apiOnly, {
      prompt: 'MCP-REMOTE-WORKER',
      providerId: 'openai',
      model: 'gpt-5-mini',
    });
    expect(itemsOf(run.stored, 'function_call_output')[0]).toMatchObject({
      success: true,
      output: 'Echo: from the worker process',
    });
    const [first] = apiOnly.llm.findRequests({ marker: 'MCP-REMOTE-WORKER' });
    expect(first?.tools.map((tool) => tool.name)).toContain('mcp__everything__echo');
  });
});

describe('a bad MCP config file', () => {
  it('loadConfig refuses it, naming the server and the field', () => {
    const file = writeMcpConfig({ mcpServers: { everything: { command: 'npx', argz: [] } } });
    expect(() => loadConfig({ CODY_MCP_CONFIG: file })).toThrow(
      `invalid configuration: CODY_MCP_CONFIG: ${file}: server "everything": mcpServers.everything: Unrecognized key: "argz"`,
    );
  });

  it('stops the server at start-up with that message', async () => {
    const file = writeMcpConfig('{"mcpServers": {"remote": {"url": "not a url"}}}');
    const { code, output } = await runServerUntilExit({
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: '0',
      CODY_MCP_CONFIG: file,
    });
    expect(code).toBe(1);
    expect(output).toContain(`CODY_MCP_CONFIG: ${file}: server "remote": mcpServers.remote.url:`);
    expect(output).not.toContain('Cody is running');
  });
});
