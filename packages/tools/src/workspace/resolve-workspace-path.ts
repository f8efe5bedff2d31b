import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PathOutsideWorkspaceError } from '../errors/path-outside-workspace-error';
import { isInside } from './is-inside';
import { resolveSymlinks } from './resolve-symlinks';

export interface WorkspacePath {
  /** The real path to act on (symlinks resolved); always inside `root`. */
  absolute: string;
  /** Relative to the workspace root, for messages (`.` for the root itself). */
  relative: string;
  /** The workspace root's real path. */
  root: string;
}

/**
 * Resolves a path a tool was given against the workspace root and refuses it when it, or any
 * symlink along it (a symlinked parent, a dangling link), leads outside. Tools act on the
 * returned `absolute` path, never on the input, so what was checked is what is touched.
 */
export async function resolveWorkspacePath(workspaceRoot: string, input: string): Promise<WorkspacePath> {
  const lexicalRoot = path.resolve(workspaceRoot);
  const root = await fs.realpath(lexicalRoot);
  let candidate: string;
  if (path.isAbsolute(input)) {
    const absolute = path.resolve(input);
    // an absolute path spelled with the configured (unresolved) root still names the workspace
    if (isInside(lexicalRoot, absolute)) candidate = path.join(root, path.relative(lexicalRoot, absolute));
    else if (isInside(root, absolute)) candidate = absolute;
    else throw new PathOutsideWorkspaceError(input, lexicalRoot, 'absolute path outside the workspace');
  } else {
    candidate = path.resolve(root, input);
    if (!isInside(root, candidate))
      throw new PathOutsideWorkspaceError(input, lexicalRoot, 'it climbs out with ..');
  }
  const real = await resolveSymlinks(candidate);
  if (!isInside(root, real)) {
    throw new PathOutsideWorkspaceError(input, lexicalRoot, `a symlink on it leads to ${real}`);
  }
  return { absolute: real, relative: path.relative(root, real) || '.', root };
}
