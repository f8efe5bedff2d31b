// Finding a test's commands among the host's processes. exec runs them in a PID namespace of
// their own, so `echo $$` inside names no host process; a unique `sleep` duration does.
import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

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
