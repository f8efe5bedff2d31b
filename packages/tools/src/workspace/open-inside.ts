import { constants, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { PathOutsideWorkspaceError } from '../errors/path-outside-workspace-error';
import { isInside } from './is-inside';
import type { WorkspacePath } from './resolve-workspace-path';

/**
 * Opens a checked path and checks again what was opened: a command running at the same time
 * could swap a directory on the path for a symlink leading out between resolveWorkspacePath and
 * the open. The kernel's name for the open descriptor (/proc/self/fd) must still be inside the
 * workspace, or the handle is closed and PATH_OUTSIDE_WORKSPACE thrown. O_NOFOLLOW always.
 * Where /proc is missing (not Linux) the open's own O_NOFOLLOW is all there is.
 */
export async function openInside(target: WorkspacePath, flags: number, mode?: number): Promise<FileHandle> {
  const handle = await fs.open(target.absolute, flags | constants.O_NOFOLLOW, mode);
  let opened: string;
  try {
    opened = await fs.readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return handle;
  }
  if (!isInside(target.root, opened.replace(/ \(deleted\)$/, ''))) {
    await handle.close();
    throw new PathOutsideWorkspaceError(target.relative, target.root, `it was swapped to lead to ${opened}`);
  }
  return handle;
}
