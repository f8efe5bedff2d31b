// `turbo run build` with a line per package as it finishes, and a pulse while a build is slow, so
// the first build (a few minutes) is never silent. Turbo's grouped log order prints a task's
// output in one piece when the task ends; we show one line for it and keep the rest, which is
// printed in full only when the build fails.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { pnpmCommand } from './pnpm.mjs';

const seconds = (ms) => `${Math.round(ms / 1000)}s`;

/** Builds the workspace; resolves with turbo's exit status. */
export function buildWithProgress(root, { log = console.log } = {}) {
  const [cmd, ...pre] = pnpmCommand();
  const args = [...pre, 'exec', 'turbo', 'run', 'build', '--output-logs=full', '--log-order=grouped'];
  const started = Date.now();
  const child = spawn(cmd, args, {
    cwd: root,
    env: { TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  const seen = new Set();
  let built = 0;
  const onLine = (line) => {
    lines.push(line);
    const task = /^(@?[\w./-]+):build: (.*)$/.exec(line);
    if (!task || seen.has(task[1])) return;
    seen.add(task[1]);
    built += 1;
    const cached = task[2].startsWith('cache hit');
    log(`  ✓ ${task[1]}${cached ? ' (up to date)' : ''}   [${built} done, ${seconds(Date.now() - started)}]`);
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', (line) => lines.push(line));
  const pulse = setInterval(() => log(`  … still building (${seconds(Date.now() - started)})`), 20_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(pulse);
      if (code !== 0) {
        console.error(lines.join('\n'));
        console.error(`\nThe build failed (exit ${code}); its full output is above.`);
      }
      resolve(code ?? 1);
    });
  });
}
