import { CodyError } from '@cody/schema';
import { TOOL_ERROR_CODES } from './tool-error-codes';

/** A path, or a symlink along it, leads outside the workspace root. */
export class PathOutsideWorkspaceError extends CodyError {
  readonly path: string;

  constructor(path: string, workspaceRoot: string, reason?: string) {
    super(
      TOOL_ERROR_CODES.PATH_OUTSIDE_WORKSPACE,
      `Path "${path}" is outside the workspace ${workspaceRoot}${reason ? ` (${reason})` : ''}; only paths inside it are allowed`,
      { details: { path } },
    );
    this.name = 'PathOutsideWorkspaceError';
    this.path = path;
  }
}
