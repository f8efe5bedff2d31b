import { type McpServerStatus, type McpToolInfo, parseMcpToolName } from '@cody/schema';
import type { ExecSandboxSettings } from '@cody/tools';
import { type Logger, silentLogger } from './logger';
import type { McpConfig } from './mcp-config-schema';
import { McpServerConnection } from './mcp-server-connection';
import { type McpToolResult, mcpFailure } from './mcp-tool-result';

export interface McpHubOptions {
  config: McpConfig;
  /** Working directory of stdio servers (the workspace root), read-write in their sandbox. */
  cwd: string;
  /**
   * Environment every stdio server starts from: exec's (`commandEnv` of @cody/tools); HOME is
   * set to the workspace and its config's `env` added. Default `commandEnv()` of this process.
   */
  baseEnv?: NodeJS.ProcessEnv;
  /** exec's sandbox settings, which stdio servers run under; default bubblewrap without network. */
  sandbox?: Partial<ExecSandboxSettings>;
  logger?: Logger;
  /** Initialize + tools/list of one server must answer within this; default 30 s. */
  connectTimeoutMs?: number;
  /** First restart delay after a server died (doubles per failure); default 250 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface McpCallOptions {
  signal?: AbortSignal;
  timeoutMs: number;
}

/**
 * Every server of an MCP config, connected: their tools as `mcp__<server>__<tool>`, calls routed
 * to the right server, and a status per server. stdio servers run in exec's sandbox, with exec's
 * environment rules. A server that dies is restarted with backoff while the others keep serving.
 */
export class McpHub {
  private readonly connections = new Map<string, McpServerConnection>();
  private readonly listeners = new Set<() => void>();

  constructor(options: McpHubOptions) {
    const logger = options.logger ?? silentLogger;
    for (const [name, config] of Object.entries(options.config.servers)) {
      this.connections.set(
        name,
        new McpServerConnection({
          name,
          config,
          cwd: options.cwd,
          logger,
          onChange: () => this.changed(),
          ...(options.baseEnv ? { baseEnv: options.baseEnv } : {}),
          ...(options.sandbox ? { sandbox: options.sandbox } : {}),
          ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
          ...(options.backoffMs ? { backoffMs: options.backoffMs } : {}),
          ...(options.maxBackoffMs ? { maxBackoffMs: options.maxBackoffMs } : {}),
        }),
      );
    }
  }

  /** Connects every server; resolves once each has answered or failed its first attempt. */
  async start(): Promise<void> {
    await Promise.all([...this.connections.values()].map((connection) => connection.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.connections.values()].map((connection) => connection.stop()));
  }

  status(): McpServerStatus[] {
    return [...this.connections.values()].map((connection) => connection.status());
  }

  /** Every server's tools (the last list of a server that is down included). */
  tools(): McpToolInfo[] {
    return this.status().flatMap((server) => server.tools);
  }

  /** The tool behind a name the model called, if one of these servers has it. */
  tool(name: string): McpToolInfo | undefined {
    const parsed = parseMcpToolName(name);
    return parsed ? this.connections.get(parsed.server)?.tool(name) : undefined;
  }

  /** Whether a name belongs to one of the configured servers (its tool may not be listed yet). */
  owns(name: string): boolean {
    const parsed = parseMcpToolName(name);
    return parsed !== undefined && this.connections.has(parsed.server);
  }

  /**
   * Calls the tool `name` (`mcp__<server>__<tool>`) with the model's JSON arguments. Never
   * throws: bad JSON, an unknown tool, a server that is down, a timeout, a cancel, an MCP error
   * and `isError: true` are each `success: false` with the reason as the output.
   */
  async callTool(name: string, rawArgs: string, options: McpCallOptions): Promise<McpToolResult> {
    const parsed = parseMcpToolName(name);
    const connection = parsed ? this.connections.get(parsed.server) : undefined;
    if (!connection) return mcpFailure('UNKNOWN_TOOL', `no MCP server provides a tool named ${name}`);
    let args: unknown;
    try {
      args = rawArgs.trim() === '' ? {} : JSON.parse(rawArgs);
    } catch (error) {
      return mcpFailure(
        'INVALID_TOOL_ARGUMENTS',
        `${name}: arguments are not JSON: ${(error as Error).message}`,
      );
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args))
      return mcpFailure('INVALID_TOOL_ARGUMENTS', `${name}: arguments must be a JSON object`);
    return connection.callTool(name, args as Record<string, unknown>, options);
  }

  /** Calls `listener` after any server's state or tool list changed; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
