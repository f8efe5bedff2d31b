#!/usr/bin/env node
// `npm start`: installs what is missing, builds, finds (or starts) Redis, makes sure bubblewrap
// (exec's sandbox) is there, then runs the server,
// which serves the API and the web app on one port.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBubblewrap } from './ensure-bubblewrap.mjs';
import { ensureRedis } from './ensure-redis.mjs';
import { runPnpm } from './pnpm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const serverEntry = join(root, 'apps', 'server', 'dist', 'main.js');

for (const step of [
  ['install', '--prefer-offline'],
  ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'],
]) {
  console.log(`> pnpm ${step.join(' ')}`);
  const status = runPnpm(step);
  if (status !== 0) process.exit(status);
}

if (!existsSync(serverEntry)) {
  console.error('\nThe server (apps/server) is not built yet: only the libraries exist so far.');
  console.error('Run `npm test` to exercise what is there.');
  process.exit(1);
}

const redisUrl = await ensureRedis(root);
ensureBubblewrap();
const env = { ...process.env, REDIS_URL: redisUrl };
const children = [];

// --demo: no keys needed; both providers point at the bundled test LLM
if (process.argv.includes('--demo')) {
  const port = '4011';
  const llm = spawn(process.execPath, [join(root, 'packages', 'test-llm', 'dist', 'bin.js')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PORT: port },
  });
  children.push(llm);
  Object.assign(env, {
    OPENAI_API_KEY: 'demo',
    OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
    ANTHROPIC_API_KEY: 'demo',
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`,
  });
}

const server = spawn(process.execPath, [serverEntry], { stdio: 'inherit', env });
children.push(server);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}
server.on('exit', (code) => {
  for (const child of children) child.kill();
  process.exit(code ?? 0);
});
