import { realpathSync } from 'node:fs';
import { ERROR_CODES, type McpServerState, type McpServerStatus, type McpToolInfo } from '@cody/schema';
import {
  describeSandboxHost,
  type ExecSandbox,
  type ExecSandboxSettings,
  prepareExecSandbox,
  type SandboxHost,
} from '@cody/tools';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from './logger';
import { mapCallToolResult } from './map-call-tool-result';
import type { McpServerConfig } from './mcp-config-schema';
import { mcpToolName } from './mcp-tool-name';
import { mcpToolParameters } from './mcp-tool-parameters';
import { type McpToolResult, mcpFailure } from './mcp-tool-result';
import { SandboxedStdioTransport } from './sandboxed-stdio-transport';
import { stdioSandboxUnavailableMessage } from './stdio-sandbox-unavailable-message';
import { stdioServerEnv } from './stdio-server-env';

export interface McpServerConnectionOptions {
  name: string;
  config: McpServerConfig;
  /** Working directory of stdio servers: the workspace, read-write in their sandbox. */
  cwd: string;
  /**
   * Environment a stdio server starts from — exec's (`commandEnv` of @cody/tools: PATH, LANG,
   * TERM and the names in CODY_EXEC_ENV); HOME is set to the workspace and the config's `env`
   * added. Default: `commandEnv()` of this process.
   */
  baseEnv?: NodeJS.ProcessEnv;
  /** exec's sandbox settings (CODY_EXEC_SANDBOX, CODY_EXEC_NETWORK), which stdio servers run under; default bubblewrap without network. */
  sandbox?: Partial<ExecSandboxSettings>;
  logger: Logger;
  /** Called whenever the state or the tool list changes. */
  onChange: () => void;
  /** Initialize + first tools/list must answer within this; default 30 s. */
  connectTimeoutMs?: number;
  /** First restart delay, doubled per failure up to `maxBackoffMs`; defaults 250 ms / 30 s. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

const CLIENT_INFO = { name: 'cody', version: '0.0.0' };
// lines of a stdio server's stderr kept to explain why it died, each cut to this many characters
const STDERR_LINES = 20;
const STDERR_LINE_CHARS = 500;
// a server is not trusted to be small: its tool list (and paging through it) is bounded
const MAX_TOOLS = 256;
const MAX_PAGES = 50;

/**
 * One configured MCP server: connects with the official SDK client (Streamable HTTP, or stdio
 * to a process it starts in exec's sandbox: SandboxedStdioTransport), lists its tools (every
 * page) and lists them again on `notifications/tools/list_changed`.
 * When the connection closes (the process died, the HTTP server stopped answering) it is
 * `down` and reconnects with exponential backoff; calls meanwhile answer MCP_SERVER_UNAVAILABLE.
 */
export class McpServerConnection {
  readonly name: string;
  private readonly options: McpServerConnectionOptions;
  private client: Client | undefined;
  private state: McpServerState = 'connecting';
  private error: string | undefined;
  private tools: McpToolInfo[] = [];
  private byName = new Map<string, McpToolInfo>();
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stderr: string[] = [];
  private updatedAt = Date.now();
  private firstAttempt: Promise<void> | undefined;

  constructor(options: McpServerConnectionOptions) {
    this.name = options.name;
    this.options = options;
  }

  /** Starts connecting; resolves when the first attempt has succeeded or failed (it retries after). */
  start(): Promise<void> {
    this.firstAttempt ??= this.connect();
    return this.firstAttempt;
  }

  async stop(): Promise<void> {
    this.setState('stopped');
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => {});
  }

  status(): McpServerStatus {
    return {
      name: this.name,
      transport: this.options.config.transport,
      state: this.state,
      ...(this.error ? { error: this.error } : {}),
      tools: structuredClone(this.tools),
      updatedAt: this.updatedAt,
    };
  }

  tool(exposedName: string): McpToolInfo | undefined {
    return this.byName.get(exposedName);
  }

  /** Calls one of its tools; never throws. */
  async callTool(
    exposedName: string,
    args: Record<string, unknown>,
    options: { signal?: AbortSignal; timeoutMs: number },
  ): Promise<McpToolResult> {
    const client = this.client;
    if (this.state !== 'ready' || !client) return this.unavailable();
    const info = this.byName.get(exposedName);
    if (!info)
      return mcpFailure('UNKNOWN_TOOL', `MCP server "${this.name}" has no tool named ${exposedName}`);
    try {
      const result = await client.callTool({ name: info.tool, arguments: args }, undefined, {
        timeout: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const mapped = mapCallToolResult(result as Parameters<typeof mapCallToolResult>[0]);
      return mapped.success ? mapped : mcpFailure(ERROR_CODES.MCP_TOOL_ERROR, mapped.output);
    } catch (error) {
      if (options.signal?.aborted)
        return mcpFailure(
          'TOOL_CANCELLED',
          `${exposedName} was cancelled: ${reasonText(options.signal.reason)}`,
        );
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout)
        return mcpFailure(ERROR_CODES.TOOL_TIMEOUT, `${exposedName} timed out after ${options.timeoutMs} ms`);
      if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
        this.lost(client, 'the connection closed during the call');
        return this.unavailable();
      }
      if (error instanceof McpError) return mcpFailure(ERROR_CODES.MCP_TOOL_ERROR, error.message);
      // not an answer of the server: it is unreachable (fetch failed, process gone)
      this.lost(client, (error as Error).message);
      return this.unavailable();
    }
  }

  private unavailable(): McpToolResult {
    const why = this.error ? ` (${this.error})` : '';
    return mcpFailure(
      ERROR_CODES.MCP_SERVER_UNAVAILABLE,
      `${ERROR_CODES.MCP_SERVER_UNAVAILABLE}: MCP server "${this.name}" is ${this.state}${why}; its tools answer again once it is back`,
    );
  }

  private async connect(): Promise<void> {
    if (this.state === 'stopped') return;
    const client = new Client(CLIENT_INFO, {
      capabilities: {},
      listChanged: {
        tools: {
          autoRefresh: false,
          debounceMs: 50,
          onChanged: () =>
            void this.refreshTools(client).catch((error: unknown) => this.lost(client, String(error))),
        },
      },
    });
    client.onclose = () => this.lost(client, this.exitReason('the connection closed'));
    client.onerror = (error) =>
      this.options.logger.debug({ server: this.name, err: error }, 'MCP transport error');
    this.client = client;
    this.stderr = [];
    this.setState('connecting');
    const timeout = this.options.connectTimeoutMs ?? 30_000;
    // stdio servers run in exec's sandbox: probed once per process, like exec's
    const sandbox =
      this.options.config.transport === 'stdio' ? await prepareExecSandbox(this.options.sandbox) : undefined;
    if (this.client !== client) return;
    if (sandbox?.kind === 'unavailable') {
      this.unstartable(client, stdioSandboxUnavailableMessage(sandbox.reason));
      return;
    }
    try {
      await client.connect(this.transport(sandbox), { timeout });
      if (this.client !== client) return;
      await this.refreshTools(client, timeout);
      if (this.client !== client) return;
      this.failures = 0;
      this.error = undefined;
      this.setState('ready');
      this.options.logger.info({ server: this.name, tools: this.tools.length }, 'MCP server connected');
    } catch (error) {
      this.lost(client, this.exitReason((error as Error).message));
    }
  }

  private transport(sandbox: Extract<ExecSandbox, { kind: 'bwrap' | 'off' }> | undefined): Transport {
    const { config } = this.options;
    if (config.transport === 'http') {
      return new StreamableHTTPClientTransport(new URL(config.url), {
        requestInit: { headers: config.headers },
      });
    }
    if (!sandbox) throw new Error('a stdio server needs the sandbox settled first');
    const workspaceRoot = realpathSync(this.options.cwd);
    const transport = new SandboxedStdioTransport({
      command: config.command,
      args: config.args,
      env: stdioServerEnv(config.env, workspaceRoot, this.options.baseEnv),
      workspaceRoot,
      sandbox,
      host: sandboxHost(),
    });
    transport.stderr.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.stderr.push(line.slice(0, STDERR_LINE_CHARS));
        if (this.stderr.length > STDERR_LINES) this.stderr.shift();
        this.options.logger.debug({ server: this.name, line }, 'MCP server stderr');
      }
    });
    return transport;
  }

  private async refreshTools(client: Client, timeout?: number): Promise<void> {
    const listed: Tool[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, timeout ? { timeout } : undefined);
      listed.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor && ++pages < MAX_PAGES && listed.length < MAX_TOOLS);
    if (this.client !== client) return;
    if (listed.length > MAX_TOOLS || cursor) {
      this.options.logger.warn(
        { server: this.name, listed: listed.length, max: MAX_TOOLS },
        'MCP server lists too many tools; only the first are declared',
      );
      listed.length = Math.min(listed.length, MAX_TOOLS);
    }
    this.tools = listed.map((tool) => ({
      name: mcpToolName(this.name, tool.name),
      tool: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: mcpToolParameters(tool.inputSchema as Record<string, unknown>),
      readOnly: tool.annotations?.readOnlyHint === true,
    }));
    this.byName = new Map(this.tools.map((tool) => [tool.name, tool]));
    this.touch();
  }

  /** The connection of `client` is gone: down now, reconnect after the backoff. */
  private lost(client: Client, reason: string): void {
    if (this.client !== client || this.state === 'stopped') return;
    this.client = undefined;
    void client.close().catch(() => {});
    this.error = reason;
    this.setState('down');
    const base = this.options.backoffMs ?? 250;
    const delay = Math.min(base * 2 ** this.failures, this.options.maxBackoffMs ?? 30_000);
    this.failures++;
    this.options.logger.warn({ server: this.name, reason, retryInMs: delay }, 'MCP server unavailable');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  /** It cannot be started at all (no sandbox, and exec refuses to run without one): down, not retried. */
  private unstartable(client: Client, reason: string): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.error = reason;
    this.setState('down');
    this.options.logger.error({ server: this.name, reason }, 'MCP server not started');
  }

  private exitReason(fallback: string): string {
    const last = this.stderr.at(-1);
    return last ? `${fallback}; its last stderr line: ${last}` : fallback;
  }

  private setState(state: McpServerState): void {
    if (this.state === state) return;
    this.state = state;
    this.touch();
  }

  private touch(): void {
    this.updatedAt = Date.now();
    this.options.onChange();
  }
}

let host: SandboxHost | undefined;
function sandboxHost(): SandboxHost {
  host ??= describeSandboxHost();
  return host;
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  if (typeof reason === 'symbol') return reason.description ?? 'stopped';
  return String(reason ?? 'aborted');
}
