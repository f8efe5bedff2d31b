import { loadMcpConfig, type McpConfig } from '@cody/mcp';
import {
  type ExecSandboxSettings,
  loadToolConfig,
  ToolConfigurationError,
  type ToolLimits,
} from '@cody/tools';

/**
 * The MCP servers a tool worker connects to (`CODY_MCP_CONFIG`). Its stdio servers run under
 * exec's sandbox and environment (`sandbox`, `env` of the tool worker), plus their config's `env`.
 */
export interface McpToolWorkerConfig {
  config: McpConfig;
}

export interface ToolWorkerConfig {
  workspaceRoot: string;
  limits: ToolLimits;
  /** exec's sandbox (`CODY_EXEC_SANDBOX`, `CODY_EXEC_NETWORK`). */
  sandbox: ExecSandboxSettings;
  /** Environment of exec'd commands: the allowlist (`CODY_EXEC_ENV` adds names). */
  env: NodeJS.ProcessEnv;
  concurrency: number;
  maxAttempts: number;
  /** Absent when `CODY_MCP_CONFIG` is unset. */
  mcp?: McpToolWorkerConfig;
}

/**
 * The tool worker's settings from the environment: `CODY_WORKSPACE`, the tool limits and exec's
 * sandbox and environment (see @cody/tools), `CODY_TOOL_CONCURRENCY` (default 4), `CODY_TOOL_MAX_ATTEMPTS` (default 3),
 * `CODY_MCP_CONFIG` (a JSON file of MCP servers, see @cody/mcp; relative to `cwd`).
 * A bad value throws an error naming the variable (and for the MCP file, the server and field).
 */
export function loadToolWorkerConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): ToolWorkerConfig {
  const { workspaceRoot, limits, sandbox, env: commandEnv } = loadToolConfig(env, cwd);
  const mcp = loadMcpConfig(env, cwd);
  return {
    workspaceRoot,
    limits,
    sandbox,
    env: commandEnv,
    concurrency: positiveInteger(env, 'CODY_TOOL_CONCURRENCY', 4),
    maxAttempts: positiveInteger(env, 'CODY_TOOL_MAX_ATTEMPTS', 3),
    ...(mcp ? { mcp: { config: mcp } } : {}),
  };
}

function positiveInteger(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ToolConfigurationError(variable, `must be a positive integer, got "${raw}"`);
  }
  return value;
}
