#!/usr/bin/env node
// `pnpm bench` for the server: runs the e2e bench (e2e.bench.ts, unchanged) on Node, then the
// same bench on Bun (installed from the npm registry when missing), and prints the two tables
// side by side. BENCH_RUNTIMES=node (or bun) runs one; the bench's own variables pass through.
import { spawn, spawnSync } from 'node:child_process';
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
  const version =
    name === 'node' ? process.version : spawnSync(command, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n# e2e bench on ${name === 'node' ? 'Node' : 'Bun'} ${version}\n`);
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

/**
 * Splits a bench output into text lines and tables. A table is a header line, a rule of dashes
 * (whose runs give the columns: a cell may be empty) and the rows up to the next blank line.
 */
function parse(output) {
  const lines = output.trimEnd().split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const rule = lines[i + 1];
    if (rule !== undefined && /^-+(?: +-+)+$/.test(rule.trim()) && lines[i].trim() !== '') {
      const starts = [...rule.matchAll(/-+/g)].map((match) => match.index);
      const cut = (line) => starts.map((from, k) => line.slice(k === 0 ? 0 : from, starts[k + 1]).trim());
      const rows = [];
      let j = i + 2;
      for (; j < lines.length && lines[j].trim() !== ''; j++) rows.push(cut(lines[j]));
      blocks.push({ header: cut(lines[i]), rows });
      i = j - 1;
    } else blocks.push({ line: lines[i] });
  }
  return blocks;
}

/** Prints rows as columns: the first left-aligned, the others right-aligned. */
function printTable(rows) {
  const widths = [];
  for (const row of rows) {
    for (const [k, cell] of row.entries()) widths[k] = Math.max(widths[k] ?? 0, cell.length);
  }
  for (const row of rows)
    console.log(
      row
        .map((cell, k) => (k === 0 ? cell.padEnd(widths[k]) : cell.padStart(widths[k])))
        .join('  ')
        .trimEnd(),
    );
}

/** Node's and Bun's outputs block by block: one table with Node's columns then Bun's per row. */
function sideBySide(node, bun) {
  const [a, b] = [parse(node), parse(bun)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [left, right] = [a[i], b[i]];
    if (left?.header && right?.header) {
      const blank = left.header.slice(2).map(() => '');
      const rows = [
        ['', 'Node', ...blank, '│', 'Bun'],
        [left.header[0], ...left.header.slice(1), '│', ...right.header.slice(1)],
      ];
      for (const row of left.rows) {
        const other = right.rows.find((candidate) => candidate[0] === row[0]) ?? [];
        rows.push([row[0], ...row.slice(1), '│', ...other.slice(1)]);
      }
      printTable(rows);
      continue;
    }
    const [l, r] = [left?.line ?? '', right?.line ?? ''];
    if (l === r) console.log(l);
    else {
      if (l) console.log(`node: ${l}`);
      if (r) console.log(`bun:  ${r}`);
    }
  }
}

const outputs = {};
for (const name of wanted) {
  if (!(name in runtimes)) throw new Error(`BENCH_RUNTIMES: unknown runtime ${name} (node, bun)`);
  outputs[name] = await run(name);
}
if (outputs.node && outputs.bun) {
  console.log('\n# e2e bench, Node │ Bun side by side\n');
  sideBySide(outputs.node, outputs.bun);
}
