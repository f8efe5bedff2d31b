import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A temp directory holding a workspace and, beside it, a directory outside the workspace. */
export async function tempWorkspace(): Promise<{
  root: string;
  workspace: string;
  outside: string;
  cleanup: () => Promise<void>;
}> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'cody-tools-'));
  const workspace = path.join(root, 'workspace');
  const outside = path.join(root, 'outside');
  await mkdir(workspace);
  await mkdir(outside);
  return { root, workspace, outside, cleanup: () => rm(root, { recursive: true, force: true }) };
}
