import type { Response } from '@cody/schema';

/** Exit statuses: 0 complete, 1 error (or a failed request), 2 usage, 130 aborted (as for Ctrl-C). */
export const EXIT = { ok: 0, error: 1, usage: 2, aborted: 130 } as const;

export function exitCodeOf(response: Response | undefined): number {
  if (response?.status === 'complete') return EXIT.ok;
  if (response?.status === 'aborted') return EXIT.aborted;
  return EXIT.error;
}
