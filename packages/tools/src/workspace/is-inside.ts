import path from 'node:path';

/** Whether `target` is `root` or below it (both absolute and normalised). */
export function isInside(root: string, target: string): boolean {
  if (target === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return target.startsWith(prefix);
}
