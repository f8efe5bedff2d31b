#!/usr/bin/env node
// `pnpm bench` for the server: runs the e2e bench (e2e.bench.ts, unchanged) on Node, then the
// same bench on Bun (installed from the npm registry when missing), and prints the two tables
// side by side. BENCH_RUNTIMES=node (or bun) runs one; the bench's own variables pass through.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBun } from '../../../scripts/bun.mjs';

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const bench = join('bench', 'e2e.bench.ts');
const wanted = (process.env.BENCH_RUNTIMES ?? 'node,bun').split(',').map((name) => name.trim());

const runtimes = {
  // as the bench ran before: Node with tsx for the TypeScript
  node: () => [process.execPath, ['--conditions=@cody/source', '--import', 'tsx', bench]],
  // Bun runs TypeScript itself; the bench's children get `--import tsx`, which Bun accepts too
  bun: () => [ensureBun(), ['--conditions=@cody/source', bench]],
};

/** Runs one bench, echoing its output as it comes, and resolves with that output. */
function run(name) {
  const [command, args] = runtimes[name]();
  console.log(`\n# e2e bench on ${name === 'node' ? `Node ${process.version}` : 'Bun'}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: serverDir, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`the bench on ${name} exited with ${code}`)),
    );
  });
}

// a table line: cells two or more spaces apart (a header starts with an empty cell)
const cells = (line) => line.trimEnd().split(/\s{2,}/);

/**
 * Pairs the two outputs line by line: table rows with the same label become one row, Node's cells
 * then Bun's; lines that read the same are printed once, others twice, each under its runtime.
 */
function sideBySide(node, bun) {
  const a = node.trimEnd().split('\n');
  const b = bun.trimEnd().split('\n');
  const rows = [];
  const flush = () => {
    if (rows.length === 0) return;
    const widths = [];
    for (const row of rows)
      row.forEach((cell, i) => {
        widths[i] = Math.max(widths[i] ?? 0, cell.length);
      });
    for (const row of rows) {
      console.log(
        row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '),
      );
    }
    rows.length = 0;
  };
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const left = a[i] ?? '';
    const right = b[i] ?? '';
    const [lc, rc] = [cells(left), cells(right)];
    const tableRow = lc.length > 1 && lc.length === rc.length && lc[0] === rc[0];
    if (tableRow && lc.slice(1).every((cell) => /^-+$/.test(cell))) continue; // the rule under a header
    if (tableRow) {
      if (rows.length === 0) rows.push(['', 'Node', ...lc.slice(2).map(() => ''), '│', 'Bun']);
      rows.push([lc[0], ...lc.slice(1), '│', ...rc.slice(1)]);
      continue;
    }
    flush();
    if (left === right) console.log(left);
    else {
      if (left) console.log(`node: ${left}`);
      if (right) console.log(`bun:  ${right}`);
    }
  }
  flush();
}

const outputs = {};
for (const name of wanted) {
  if (!(name in runtimes)) throw new Error(`BENCH_RUNTIMES: unknown runtime ${name} (node, bun)`);
  outputs[name] = await run(name);
}
if (outputs.node && outputs.bun) {
  console.log('\n# e2e bench, Node │ Bun\n');
  sideBySide(outputs.node, outputs.bun);
}
