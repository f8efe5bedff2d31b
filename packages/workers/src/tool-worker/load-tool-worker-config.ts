import { loadToolConfig, ToolConfigurationError, type ToolLimits } from '@cody/tools';

export interface ToolWorkerConfig {
  workspaceRoot: string;
  limits: ToolLimits;
  concurrency: number;
  maxAttempts: number;
}

/**
 * The tool worker's settings from the environment: `CODY_WORKSPACE` and the tool limits (see
 * @cody/tools), `CODY_TOOL_CONCURRENCY` (default 4), `CODY_TOOL_MAX_ATTEMPTS` (default 3).
 * A bad value throws an error naming the variable.
 */
export function loadToolWorkerConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): ToolWorkerConfig {
  const { workspaceRoot, limits } = loadToolConfig(env, cwd);
  return {
    workspaceRoot,
    limits,
    concurrency: positiveInteger(env, 'CODY_TOOL_CONCURRENCY', 4),
    maxAttempts: positiveInteger(env, 'CODY_TOOL_MAX_ATTEMPTS', 3),
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
