/**
 * Orders two Redis stream ids (`<ms>-<seq>`) numerically; null is before every id. Compared as
 * decimal strings so sequence numbers past 2^53 stay exact. Same rule as @cody/store's.
 */
export function compareStreamIds(a: string | null, b: string | null): -1 | 0 | 1 {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const [aMs = '', aSeq = ''] = a.split('-');
  const [bMs = '', bSeq = ''] = b.split('-');
  return compareDigits(aMs, bMs) || compareDigits(aSeq, bSeq);
}

function compareDigits(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
