/** Variables every stdio server gets from the worker's environment, like exec'd commands. */
export const BASE_ENV_ALLOWLIST = ['PATH', 'HOME', 'LANG', 'TERM'] as const;

/** The names `CODY_EXEC_ENV` adds to the allowlist (comma or space separated). */
export function execEnvNames(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.CODY_EXEC_ENV ?? '')
    .split(/[\s,]+/)
    .map((name) => name.trim())
    .filter(Boolean);
}

/**
 * The environment a stdio server runs with: the allowlisted variables of `from` (PATH, HOME,
 * LANG, TERM and the names in `CODY_EXEC_ENV`) plus the server's own `env` from the config.
 * Never the worker's whole environment: provider keys and Redis URLs stay out.
 */
export function stdioServerEnv(
  configEnv: Record<string, string>,
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...BASE_ENV_ALLOWLIST, ...execEnvNames(from)]) {
    const value = from[name];
    if (value !== undefined) out[name] = value;
  }
  return { ...out, ...configEnv };
}
