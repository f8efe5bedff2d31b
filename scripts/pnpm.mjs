#!/usr/bin/env node
// Runs the pnpm version pinned in package.json's packageManager, installing nothing globally:
// a matching pnpm on PATH is used as is, otherwise npx fetches that exact version.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];

function onPath() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  return probe.status === 0 && probe.stdout.trim() === pinned;
}

export function pnpmCommand() {
  return onPath() ? ['pnpm'] : ['npx', '--yes', `pnpm@${pinned}`];
}

export function runPnpm(args, options = {}) {
  const [cmd, ...pre] = pnpmCommand();
  const env = { TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', ...process.env, ...options.env };
  const result = spawnSync(cmd, [...pre, ...args], { stdio: 'inherit', cwd: root, ...options, env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exit(runPnpm(process.argv.slice(2)));
}
