// names that usually hold credentials; a model-run command must not read the server's keys
const secretName = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|AUTH|COOKIE|SESSION)/i;
const secretVariables = new Set(['REDIS_URL', 'CONVEX_URL', 'DATABASE_URL', 'OTEL_EXPORTER_OTLP_HEADERS']);

/** The environment exec'd commands get by default: this one, minus variables that look secret. */
export function commandEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || secretName.test(name) || secretVariables.has(name)) continue;
    out[name] = value;
  }
  return out;
}
