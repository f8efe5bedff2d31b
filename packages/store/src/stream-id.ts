import { z } from 'zod';

/** A Redis stream entry id, `<ms>-<seq>`, without leading zeros (as Redis prints them). */
export const StreamIdSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,19})$/, 'must be a Redis stream id like 1700000000000-0');

/** Orders two stream ids numerically (a null id is before every id); -1, 0 or 1. */
export function compareStreamIds(a: string | null, b: string | null): -1 | 0 | 1 {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const [aMs = '', aSeq = ''] = a.split('-');
  const [bMs = '', bSeq = ''] = b.split('-');
  return compareDigits(aMs, bMs) || compareDigits(aSeq, bSeq);
}

// compare as decimal strings: a sequence number may exceed Number.MAX_SAFE_INTEGER
function compareDigits(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
