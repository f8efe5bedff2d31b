import { statSync } from 'node:fs';
import path from 'node:path';
import { commandEnv } from './command-env';
import { ToolConfigurationError } from './errors/tool-configuration-error';
import type { ExecSandboxSettings } from './sandbox/exec-sandbox-settings';
import { DEFAULT_TOOL_LIMITS, type ToolLimits } from './tool-limits';

export interface ToolConfig {
  workspaceRoot: string;
  limits: ToolLimits;
  /** How exec confines commands (`CODY_EXEC_SANDBOX`, `CODY_EXEC_NETWORK`). */
  sandbox: ExecSandboxSettings;
  /** Environment of exec'd commands: PATH, LANG, TERM and the names in `CODY_EXEC_ENV`. */
  env: NodeJS.ProcessEnv;
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
 * Reads the workspace root (`CODY_WORKSPACE`, default: the current directory), the tool limits,
 * exec's sandbox settings and the environment commands get. A bad value throws a
 * ToolConfigurationError naming the variable.
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
  const sandbox: ExecSandboxSettings = {
    mode: onOff(env, 'CODY_EXEC_SANDBOX', true) ? 'bwrap' : 'off',
    network: onOff(env, 'CODY_EXEC_NETWORK', false),
  };
  const names = (env.CODY_EXEC_ENV ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name === 'HOME') {
      throw new ToolConfigurationError(
        'CODY_EXEC_ENV',
        `must be a comma-separated list of variable names (HOME is always the workspace), got "${name}"`,
      );
    }
  }
  return { workspaceRoot, limits, sandbox, env: commandEnv(env, names) };
}

function onOff(env: NodeJS.ProcessEnv, variable: string, fallback: boolean): boolean {
  const raw = env[variable]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ToolConfigurationError(variable, `must be on or off, got "${env[variable]}"`);
}
