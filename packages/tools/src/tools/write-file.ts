import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { defineTool } from '../define-tool';
import { openInside } from '../workspace/open-inside';
import { resolveWorkspacePath } from '../workspace/resolve-workspace-path';

export const WriteFileInputSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .describe('File to write, relative to the workspace root; missing parent directories are created.'),
  content: z.string().describe('The complete new content of the file (UTF-8).'),
  append: z.boolean().optional().describe('Append to the file instead of replacing it. Default false.'),
});
export type WriteFileInput = z.infer<typeof WriteFileInputSchema>;

export const writeFileTool = defineTool({
  name: 'writeFile',
  description:
    'Write a text file in the workspace, replacing it (or appending with append: true). Creates the file and missing parent directories. For small changes to an existing file prefer editFile.',
  inputSchema: WriteFileInputSchema,
  async execute(input, context) {
    const target = await resolveWorkspacePath(context.workspaceRoot, input.path);
    await fs.mkdir(path.dirname(target.absolute), { recursive: true });
    // O_NOFOLLOW: if a symlink appears at the checked path after the check, the write fails;
    // openInside refuses a file a swapped parent directory led outside to (before writing)
    const flags = constants.O_WRONLY | constants.O_CREAT | (input.append ? constants.O_APPEND : 0);
    const handle = await openInside(target, flags, 0o666);
    try {
      if (!input.append) await handle.truncate(0);
      await handle.writeFile(input.content, 'utf8');
    } finally {
      await handle.close();
    }
    const bytes = Buffer.byteLength(input.content, 'utf8');
    return `${input.append ? 'Appended' : 'Wrote'} ${bytes} bytes to ${target.relative}`;
  },
});
