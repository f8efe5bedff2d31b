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
    // one failing package must not hide the others' results
    '--continue',
    '--output-logs=errors-only',
    ...process.argv.slice(2),
  ],
];
// every step runs even after a failure (only a failed install stops: nothing else could run),
// and the closing `tests:` line is always printed
const failedSteps = [];
for (const step of steps) {
  console.log(`\n> pnpm ${step.join(' ')}`);
  let status;
  try {
    status = runPnpm(step);
  } catch (error) {
    console.error(error);
    status = 1;
  }
  if (status !== 0) {
    failedSteps.push(`pnpm ${step.join(' ')} (exit ${status})`);
    console.error(`\nfailed: pnpm ${step.join(' ')} (exit ${status})`);
    if (step[0] === 'install') break;
  }
}
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reports()) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    failedSteps.push(`unreadable test report ${file}: ${error.message}`);
    continue;
  }
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
for (const step of failedSteps) console.error(`failed: ${step}`);
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || failedSteps.length > 0 ? 1 : 0);
