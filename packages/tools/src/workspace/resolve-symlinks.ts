import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ToolError } from '../errors/tool-error';

const maxHops = 40;

/**
 * The path the OS would act on: every symlink along `target` followed, like realpath, but the
 * path need not exist. A missing tail is kept as is; a dangling symlink is followed to where
 * its target would be created.
 */
export async function resolveSymlinks(target: string): Promise<string> {
  try {
    return await fs.realpath(target);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  return walk(path.resolve(target), { hops: 0 });
}

async function walk(target: string, state: { hops: number }): Promise<string> {
  const parts = target.split(path.sep).filter(Boolean);
  let current = path.parse(target).root;
  for (let i = 0; i < parts.length; i++) {
    const next = path.join(current, parts[i] as string);
    let stat: Awaited<ReturnType<typeof fs.lstat>>;
    try {
      stat = await fs.lstat(next);
    } catch (error) {
      if (isMissing(error)) return path.join(next, ...parts.slice(i + 1));
      throw error;
    }
    if (!stat.isSymbolicLink()) {
      current = next;
      continue;
    }
    if (++state.hops > maxHops) throw new ToolError('ELOOP', `Too many symbolic links resolving ${target}`);
    const link = await fs.readlink(next);
    current = await walk(path.resolve(current, link), state);
  }
  return current;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
