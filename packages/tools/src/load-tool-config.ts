import { statSync } from 'node:fs';
import path from 'node:path';
import { ToolConfigurationError } from './errors/tool-configuration-error';
import { DEFAULT_TOOL_LIMITS, type ToolLimits } from './tool-limits';

export interface ToolConfig {
  workspaceRoot: string;
  limits: ToolLimits;
}

// environment variable → limit, with the unit the variable is written in
const limitVariables: readonly [keyof ToolLimits, string, number][] = [
  ['toolTimeoutMs', 'CODY_TOOL_TIMEOUT_MS', 1],
  ['execTimeoutMs', 'CODY_EXEC_TIMEOUT_MS', 1],
  ['maxExecTimeoutMs', 'CODY_EXEC_MAX_TIMEOUT_MS', 1],
  ['maxOutputBytes', 'CODY_TOOL_MAX_OUTPUT_BYTES', 1],
  ['maxReadBytes', 'CODY_TOOL_MAX_READ_BYTES', 1],
  ['maxListEntries', 'CODY_TOOL_MAX_LIST_ENTRIES', 1],
  ['maxGrepResults', 'CODY_TOOL_MAX_GREP_RESULTS', 1],
  ['scriptTimeoutMs', 'CODY_SCRIPT_TIMEOUT_MS', 1],
  ['scriptMemoryBytes', 'CODY_SCRIPT_MEMORY_MB', 1024 * 1024],
];

/**
 * Reads the workspace root (`CODY_WORKSPACE`, default: the current directory) and the tool limits
 * from the environment. A bad value throws a ToolConfigurationError naming the variable.
 */
export function loadToolConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ToolConfig {
  const limits: ToolLimits = { ...DEFAULT_TOOL_LIMITS };
  for (const [key, variable, unit] of limitVariables) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) {
      throw new ToolConfigurationError(variable, `must be a positive integer, got "${raw}"`);
    }
    limits[key] = value * unit;
  }
  if (limits.execTimeoutMs > limits.maxExecTimeoutMs) {
    throw new ToolConfigurationError(
      'CODY_EXEC_TIMEOUT_MS',
      `must not exceed CODY_EXEC_MAX_TIMEOUT_MS (${limits.maxExecTimeoutMs})`,
    );
  }
  const workspace = env.CODY_WORKSPACE?.trim();
  const workspaceRoot = path.resolve(cwd, workspace ? workspace : '.');
  const stat = statSync(workspaceRoot, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) {
    throw new ToolConfigurationError('CODY_WORKSPACE', `${workspaceRoot} is not an existing directory`);
  }
  return { workspaceRoot, limits };
}
