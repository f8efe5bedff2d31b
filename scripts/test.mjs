#!/usr/bin/env node
// `npm test`: installs what is missing, then lints, type-checks and runs every package's tests.
// `npm run test:bun` (`--bun`): installs what is missing (Bun too), then runs every package's tests
// on Bun; lint and type-check do not depend on the runtime, `npm test` runs them.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { delimiter } from 'node:path';
import { ensureBun, nodeShimDir } from './bun.mjs';
import { globSync } from './glob-sync.mjs';
import { runPnpm } from './pnpm.mjs';

const onBun = process.argv.includes('--bun');
const passThrough = process.argv.slice(2).filter((arg) => arg !== '--bun');
let env = {};
if (onBun) {
  // every `node` the test scripts start (pnpm, vitest's .bin shim, its workers) is Bun
  env = { PATH: `${nodeShimDir(ensureBun())}${delimiter}${process.env.PATH}` };
  const probe = spawnSync('node', ['-p', 'process.versions.bun'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (probe.stdout.trim() === '' || probe.stdout.trim() === 'undefined') {
    console.error(`could not put Bun in front of node on PATH (${probe.stderr || probe.error})`);
    process.exit(1);
  }
  console.log(`> running the suites on Bun ${probe.stdout.trim()}`);
}

// each package's vitest writes a JSON report there; we sum them into one closing line
// (@cody/redis writes a second one, `.vitest-result.cluster.json`: its suite again on a Redis Cluster)
const reports = () =>
  ['.vitest-result.json', '.vitest-result.cluster.json'].flatMap((name) =>
    globSync(['packages/*', 'apps/*', 'tests/*', 'convex'], name),
  );
for (const file of reports()) rmSync(file, { force: true });

const steps = [
  ['install', '--prefer-offline'],
  ...(onBun ? [] : [['exec', 'biome', 'check', '.']]),
  [
    'exec',
    'turbo',
    'run',
    ...(onBun ? [] : ['lint', 'typecheck']),
    'test',
    // service and browser suites each start servers, workers and Chromium: two at a time fit 2 cores
    '--concurrency=2',
    // one failing package must not hide the others' results
    '--continue',
    '--output-logs=errors-only',
    ...passThrough,
  ],
];
// every step runs even after a failure (only a failed install stops: nothing else could run),
// and the closing `tests:` line is always printed
const failedSteps = [];
for (const [index, step] of steps.entries()) {
  console.log(`\n> pnpm ${step.join(' ')}`);
  let status;
  try {
    // the install runs on Node: it is the same for both runtimes
    status = runPnpm(step, index === 0 ? {} : { env });
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
console.log(`\n${onBun ? 'bun' : 'tests'}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || failedSteps.length > 0 ? 1 : 0);
