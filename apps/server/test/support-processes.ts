// Finding a test's commands among the host's processes. exec runs them in a PID namespace of
// their own, so `echo $$` inside names no host process; a unique `sleep` duration does.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A `sleep` duration no other process uses: its digits find the process in the host's /proc. */
export const uniqueSleep = () => `${1000 + randomInt(1000)}.${randomInt(1_000_000, 9_999_999)}`;

/** Live host processes whose command line holds `marker` (and starts with `program`, if given); zombies count as dead. */
export function processesWith(marker: string, program?: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes(marker)) continue;
      if (program !== undefined && !cmdline.startsWith(`${program}\0`)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') found.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** Starts the server's entry point (src/main.ts) with exactly `env` and waits for it to exit: its code and all it printed. */
export function runServerUntilExit(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--conditions=@cody/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: join(dirname(fileURLToPath(import.meta.url)), '..'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (data: Buffer) => {
    output += data.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}
