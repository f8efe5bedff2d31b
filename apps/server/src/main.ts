// `node dist/main.js`: the server people run. Reads the environment (and a .env file), starts
// telemetry, the API, the in-process workers, and serves the web app when it is built.
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { CodyError } from '@cody/schema';
import { loadConfig } from './config';
import { createCodyServer } from './create-cody-server';
import { onStopSignals } from './on-stop-signals';
import { superviseServerProcesses } from './supervise-server-processes';
import { startTelemetry } from './telemetry';

if (existsSync('.env')) process.loadEnvFile('.env');

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  console.error(CodyError.isInstance(error) ? error.message : error);
  process.exit(1);
}

if (config.CODY_SERVER_PROCESSES > 1 && cluster.isPrimary) {
  // this process only supervises; the forked copies of this program serve (see the module)
  const log = (line: string) => console.log(`[cody] ${line}`);
  process.exit(await superviseServerProcesses({ processes: config.CODY_SERVER_PROCESSES, log }));
}
// one of several processes: the first prints the banner, the others stay quiet
const quiet = cluster.isWorker && cluster.worker?.id !== 1;

const telemetry = startTelemetry({
  ...(config.telemetry ? { config: config.telemetry } : {}),
  serviceName: 'cody-server',
});
// people read a terminal; machines read a pipe or a file
const pretty =
  config.CODY_LOG_FORMAT === 'pretty' || (config.CODY_LOG_FORMAT === 'auto' && process.stdout.isTTY);
let server: Awaited<ReturnType<typeof createCodyServer>>;
try {
  server = await createCodyServer({ config, prettyLogs: pretty });
} catch (error) {
  // e.g. REDIS_URL naming a Redis Cluster node: the message says which variable to set
  if (!CodyError.isInstance(error) || error.code !== 'CONFIGURATION_ERROR') throw error;
  console.error(error.message);
  await telemetry.shutdown();
  process.exit(1);
}
let url: string;
try {
  url = await server.listen();
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
  console.error(
    code === 'EADDRINUSE'
      ? `Port ${config.PORT} on ${config.HOST} is already in use (another Cody, or another program).`
      : `Cannot listen on ${config.HOST}:${config.PORT} (${code}).`,
  );
  console.error('Set PORT to a free port (in the environment or .env) and start again.');
  await server.close();
  await telemetry.shutdown();
  process.exit(1);
}
const base = url.replace('0.0.0.0', '127.0.0.1');

if (cluster.isWorker) console.log(`[cody] server process ${process.pid} is serving`);
if (!quiet) printBanner();
function printBanner() {
  const processes =
    config.CODY_SERVER_PROCESSES > 1 ? `, ${config.CODY_SERVER_PROCESSES} server processes` : '';
  console.log(`\nCody is running: ${base}   (API docs: ${base}/docs, health: ${base}/health${processes})`);
  const configured = ['openai', 'anthropic'].filter((id) => server.context.isConfigured(id));
  if (config.CODY_TEST_LLM_URL) {
    console.log(
      `Demo: the providers answer from the bundled test LLM at ${config.CODY_TEST_LLM_URL} — no API key is used.\n` +
        'Try "read package.json", "list the files in src" or "run `ls -la`" to see tool calls.',
    );
  } else if (configured.length === 0) {
    console.log(
      'No provider is configured. Set OPENAI_API_KEY and/or ANTHROPIC_API_KEY (in the environment or a .env file),\n' +
        'or try Cody without keys: `npm run demo` starts it against the bundled test LLM (a local fake model).\n' +
        'OPENAI_BASE_URL / ANTHROPIC_BASE_URL point Cody at any OpenAI- or Anthropic-compatible server.',
    );
  } else {
    console.log(`Providers configured: ${configured.join(', ')}`);
  }
}

onStopSignals({
  stop: async (signal) => {
    server.app.log.info({ signal }, 'shutting down');
    await server.close();
    await telemetry.shutdown();
    process.exit(0);
  },
  // under a supervisor it forwards the signal and kills us itself when asked twice
  ...(cluster.isWorker ? {} : { force: () => process.exit(1) }),
});
