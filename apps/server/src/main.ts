// `node dist/main.js`: the server people run. Reads the environment (and a .env file), starts
// telemetry, the API, the in-process workers, and serves the web app when it is built.
import { existsSync } from 'node:fs';
import { CodyError } from '@cody/schema';
import { loadConfig } from './config';
import { createCodyServer } from './create-cody-server';
import { startTelemetry } from './telemetry';

if (existsSync('.env')) process.loadEnvFile('.env');

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  console.error(CodyError.isInstance(error) ? error.message : error);
  process.exit(1);
}

const telemetry = startTelemetry({
  ...(config.telemetry ? { config: config.telemetry } : {}),
  serviceName: 'cody-server',
});
const server = await createCodyServer({ config });
const url = await server.listen();
const base = url.replace('0.0.0.0', '127.0.0.1');

console.log(`\nCody is running: ${base}   (API docs: ${base}/docs, health: ${base}/health)`);
const configured = ['openai', 'anthropic'].filter((id) => server.context.isConfigured(id));
if (configured.length === 0) {
  console.log(
    'No provider is configured. Set OPENAI_API_KEY and/or ANTHROPIC_API_KEY (in the environment or a .env file),\n' +
      'or try Cody without keys: `npm run demo` starts it against the bundled test LLM (a local fake model on :4011).\n' +
      'OPENAI_BASE_URL / ANTHROPIC_BASE_URL point Cody at any OpenAI- or Anthropic-compatible server.',
  );
} else {
  console.log(`Providers configured: ${configured.join(', ')}`);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) process.exit(1);
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    await server.close();
    await telemetry.shutdown();
    process.exit(0);
  });
}
