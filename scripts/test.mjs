#!/usr/bin/env node
// `npm test`: installs what is missing, then lints, type-checks and runs every package's tests.
import { readFileSync, rmSync } from 'node:fs';
import { globSync } from './glob-sync.mjs';
import { runPnpm } from './pnpm.mjs';

// each package's vitest writes a JSON report there; we sum them into one closing line
const reports = () => globSync(['packages/*', 'apps/*', 'tests/*', 'convex'], '.vitest-result.json');
for (const file of reports()) rmSync(file, { force: true });

const steps = [
  ['install', '--prefer-offline'],
  ['exec', 'biome', 'check', '.'],
  [
    'exec',
    'turbo',
    'run',
    'lint',
    'typecheck',
    'test',
    // service and browser suites each start servers, workers and Chromium: two at a time fit 2 cores
    '--concurrency=2',
    '--output-logs=errors-only',
    ...process.argv.slice(2),
  ],
];
for (const step of steps) {
  console.log(`\n> pnpm ${step.join(' ')}`);
  const status = runPnpm(step);
  if (status !== 0) {
    console.error(`\nfailed: pnpm ${step.join(' ')} (exit ${status})`);
    process.exit(status);
  }
}
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reports()) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
