import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/** A `sleep` duration no other process uses: its digits find the process in the host's /proc. */
export function uniqueSleep(): string {
  return `${1000 + randomInt(1000)}.${randomInt(1_000_000, 9_999_999)}`;
}

/**
 * Live host processes whose command line contains `marker` (zombies count as dead: a killed
 * process whose parent died stays one until init reaps it). Host-side, so it sees sandboxed
 * processes too, whatever their PIDs inside their namespace.
 */
export function hostProcessesWith(marker: string, program?: string): number[] {
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

/** Waits (polling the host's /proc) until no live process carries `marker`; false if some stay. */
export async function waitUntilNoneWith(marker: string): Promise<boolean> {
  for (let i = 0; i < 250; i++) {
    if (hostProcessesWith(marker).length === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return hostProcessesWith(marker).length === 0;
}

/** Waits until `count` live `program`s carry `marker` (the command under test started them). */
export async function waitUntilSomeWith(marker: string, program: string, count = 1): Promise<number[]> {
  for (;;) {
    const found = hostProcessesWith(marker, program);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
