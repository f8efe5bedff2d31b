import { z } from 'zod';

/** A Redis stream entry id, `<ms>-<seq>`, without leading zeros (as Redis prints them). */
export const StreamIdSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,19})$/, 'must be a Redis stream id like 1700000000000-0');

/**
 * Orders two Redis stream ids (`<ms>-<seq>`; a missing `-<seq>` is `-0`) numerically; null is
 * before every id. The one copy of this rule: the transport, the stores and the Convex functions
 * all order entries with it. -1, 0 or 1.
 */
export function compareStreamIds(a: string | null, b: string | null): -1 | 0 | 1 {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const dashA = a.indexOf('-');
  const dashB = b.indexOf('-');
  return (
    compareDigits(dashA < 0 ? a : a.slice(0, dashA), dashB < 0 ? b : b.slice(0, dashB)) ||
    compareDigits(dashA < 0 ? '0' : a.slice(dashA + 1), dashB < 0 ? '0' : b.slice(dashB + 1))
  );
}

// decimal strings without leading zeros: longer is larger; a sequence may exceed 2^53
function compareDigits(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
