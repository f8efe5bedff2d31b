#!/usr/bin/env node
// `npm start`: checks the port, installs what is missing, builds (a line per package), finds (or
// starts) Redis, makes sure bubblewrap (exec's sandbox) is there, then runs the server, which serves
// the API and the web app on one port. `npm run demo` (--demo) also starts the bundled test LLM and
// points both providers at it. --no-build skips install and build and runs what is built.
// `--bun` (`npm run start:bun`) runs the server (and the demo's test LLM) on Bun, installed from the
// npm registry when missing; the build and the package manager stay on Node.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWithProgress } from './build-with-progress.mjs';
import { ensureBun } from './bun.mjs';
import { portProblem, probePort } from './check-port.mjs';
import { ensureBubblewrap } from './ensure-bubblewrap.mjs';
import { ensureRedis } from './ensure-redis.mjs';
import { runPnpm } from './pnpm.mjs';
import { startTestLlmProcess } from './start-test-llm-process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const serverEntry = join(root, 'apps', 'server', 'dist', 'main.js');
const demo = process.argv.includes('--demo');
const build = !process.argv.includes('--no-build');

// the server reads .env from its working directory; the port check must see the same PORT
if (existsSync('.env')) process.loadEnvFile('.env');
// biome-ignore lint/suspicious/noUndeclaredEnvVars: the server's own settings, read at run time (not a build input)
const host = process.env.HOST || '127.0.0.1';
// biome-ignore lint/suspicious/noUndeclaredEnvVars: as above
const port = Number(process.env.PORT || 4010);
// a bad PORT is the server's to report (it names the variable); 0 means "any free port"
if (Number.isInteger(port) && port > 0 && port < 65536) {
  const problem = await probePort(port, host);
  if (problem) {
    console.error(portProblem(problem, port, host));
    process.exit(1);
  }
}

if (build) {
  console.log('[1/3] Installing dependencies (pnpm install)');
  const installed = runPnpm(['install', '--prefer-offline', '--reporter=append-only']);
  if (installed !== 0) process.exit(installed);
  console.log('[2/3] Building (a line per package; the first build takes a few minutes)');
  const status = await buildWithProgress(root);
  if (status !== 0) process.exit(status);
}

if (!existsSync(serverEntry)) {
  console.error('\nThe server (apps/server) is not built yet: run `npm start` without --no-build.');
  process.exit(1);
}

const runtime = process.argv.includes('--bun') ? ensureBun() : process.execPath;
console.log(`[3/3] Starting Cody${demo ? ' with the bundled test LLM (demo: no API keys needed)' : ''}`);
const redisUrl = await ensureRedis(root);
ensureBubblewrap();
// one server process per core (node:cluster, one port) unless the environment or .env says otherwise
const env = { CODY_SERVER_PROCESSES: 'auto', ...process.env, REDIS_URL: redisUrl };
const children = [];

if (demo) {
  let llm;
  try {
    llm = await startTestLlmProcess(root, runtime);
  } catch (error) {
    console.error(`The demo's test LLM did not start: ${error.message}`);
    process.exit(1);
  }
  children.push(llm.child);
  console.log(`      test LLM on ${llm.url} (a local fake model: it reasons, answers and calls tools)`);
  Object.assign(env, {
    OPENAI_API_KEY: 'demo',
    OPENAI_BASE_URL: `${llm.url}/v1`,
    ANTHROPIC_API_KEY: 'demo',
    ANTHROPIC_BASE_URL: llm.url,
    CODY_TEST_LLM_URL: llm.url,
  });
}

const server = spawn(runtime, [serverEntry], { stdio: 'inherit', env });
children.push(server);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}
server.on('exit', (code) => {
  for (const child of children) if (child !== server) child.kill();
  process.exit(code ?? 0);
});
