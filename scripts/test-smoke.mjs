#!/usr/bin/env node
// `npm run test:smoke`: TC-SMOKE-1…6 against the real providers through the whole stack
// (apps/server/smoke). Reads OPENAI_API_KEY / ANTHROPIC_API_KEY from the environment or a .env
// file; each test without its key skips and says which variable is missing. Costs real money.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRedis } from './ensure-redis.mjs';
import { runPnpm } from './pnpm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'));
for (const step of [['install', '--prefer-offline']]) {
  const status = runPnpm(step);
  if (status !== 0) process.exit(status);
}
process.env.REDIS_URL = await ensureRedis(root);
process.exit(
  runPnpm(['--filter', '@cody/server', 'run', 'test:smoke', '--reporter=verbose', ...process.argv.slice(2)]),
);
