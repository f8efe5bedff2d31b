import { commandEnv } from '@cody/tools';

/**
 * The environment a stdio server runs with, by exec's rules: `base` — exec's allowlist
 * (`commandEnv` of @cody/tools: PATH, LANG, TERM and the names in CODY_EXEC_ENV), never the
 * worker's keys, tokens or Redis URL — with HOME set to the workspace (as exec sets it), plus
 * the server's own `env` from the config, which wins.
 */
export function stdioServerEnv(
  configEnv: Record<string, string>,
  workspaceRoot: string,
  base: NodeJS.ProcessEnv = commandEnv(),
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) if (value !== undefined) out[name] = value;
  return { ...out, HOME: workspaceRoot, ...configEnv };
}
