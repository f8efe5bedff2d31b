/** Orders two Redis stream ids (`<ms>-<seq>`) numerically: -1, 0 or 1. */
export function compareStreamIds(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const dashA = a.indexOf('-');
  const dashB = b.indexOf('-');
  const msA = dashA < 0 ? a : a.slice(0, dashA);
  const msB = dashB < 0 ? b : b.slice(0, dashB);
  return (
    compareDigits(msA, msB) ||
    compareDigits(dashA < 0 ? '0' : a.slice(dashA + 1), dashB < 0 ? '0' : b.slice(dashB + 1))
  );
}

// decimal strings without leading zeros: longer is larger; a sequence may exceed 2^53
function compareDigits(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
