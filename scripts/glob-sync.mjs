// Tiny directory glob (`dir/*` patterns only) so the root scripts need no dependency
// before `pnpm install` has run.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function globSync(patterns, fileName) {
  const found = [];
  for (const pattern of patterns) {
    const dirs = pattern.endsWith('/*')
      ? existsSync(join(root, pattern.slice(0, -2)))
        ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
            .filter((d) => d.isDirectory())
            .map((d) => join(root, pattern.slice(0, -2), d.name))
        : []
      : [join(root, pattern)];
    for (const dir of dirs) if (existsSync(join(dir, fileName))) found.push(join(dir, fileName));
  }
  return found;
}
