import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import type { BwrapInvocation } from './bwrap-args';

/**
 * Starts `command` under bubblewrap and hands it the synthetic /etc files on descriptors 3, 4, …
 * (bubblewrap reads them before it runs the command). `options.stdio` gives fds 0–2.
 */
export function spawnInSandbox(
  bwrapPath: string,
  invocation: BwrapInvocation,
  command: readonly string[],
  options: SpawnOptions & { stdio: ['ignore' | 'pipe', 'ignore' | 'pipe', 'ignore' | 'pipe'] },
): ChildProcess {
  const child = spawn(bwrapPath, [...invocation.args, ...command], {
    ...options,
    stdio: [...options.stdio, ...invocation.files.map(() => 'pipe' as const)],
  });
  invocation.files.forEach((content, index) => {
    const stream = child.stdio[3 + index] as NodeJS.WritableStream | null | undefined;
    // a bwrap that died at once closes the pipe: its exit status tells why, not this write
    (stream as unknown as { on?: (event: string, listener: () => void) => void })?.on?.('error', () => {});
    stream?.end(content);
  });
  return child;
}
