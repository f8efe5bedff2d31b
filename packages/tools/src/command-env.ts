// Commands get an environment built from an allowlist, never the server's: its keys, tokens
// and connection strings (whatever they are named) stay out of reach.
const ALWAYS = ['PATH', 'LANG', 'TERM'] as const;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The environment exec'd commands get: `PATH` (a standard one when unset), `LANG` and `TERM`
 * from `env`, plus the variables named in `passThrough` (`CODY_EXEC_ENV`). exec adds `HOME`,
 * set to the workspace, per call.
 */
export function commandEnv(
  env: NodeJS.ProcessEnv = process.env,
  passThrough: readonly string[] = [],
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { PATH: DEFAULT_PATH };
  for (const name of [...ALWAYS, ...passThrough]) {
    const value = env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}
