import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { defineTool } from '../define-tool';
import { ToolError } from '../errors/tool-error';
import { resolveWorkspacePath } from '../workspace/resolve-workspace-path';

export const ListDirInputSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .optional()
    .describe('Directory to list, relative to the workspace root. Default "." (the root).'),
  recursive: z
    .boolean()
    .optional()
    .describe(
      'Also list subdirectories, breadth-first; symlinked directories are not entered. Default false.',
    ),
  maxDepth: z
    .number()
    .int()
    .min(1)
    .max(50)
    .optional()
    .describe('With recursive: how many levels to descend (1 = only this directory). Default 5.'),
  limit: z.number().int().min(1).optional().describe('The most entries to return (the server caps it too).'),
});
export type ListDirInput = z.infer<typeof ListDirInputSchema>;

const defaultDepth = 5;

export const listDirTool = defineTool({
  name: 'listDir',
  description:
    'List a directory in the workspace: one entry per line, paths relative to the listed directory, directories end with "/", symlinks show "-> target". Optionally recursive with a depth limit; long listings are cut with a note.',
  inputSchema: ListDirInputSchema,
  async execute(input, context) {
    const target = await resolveWorkspacePath(context.workspaceRoot, input.path ?? '.');
    const stat = await fs.stat(target.absolute);
    if (!stat.isDirectory()) throw new ToolError('ENOTDIR', `ENOTDIR: ${target.relative} is not a directory`);
    const cap = Math.min(input.limit ?? Number.POSITIVE_INFINITY, context.limits.maxListEntries);
    const depth = input.recursive ? (input.maxDepth ?? defaultDepth) : 1;
    const lines: string[] = [];
    let truncated = false;
    // breadth-first, so a cut listing keeps the shallow entries
    let level: string[] = [''];
    for (let d = 0; d < depth && level.length > 0 && !truncated; d++) {
      const next: string[] = [];
      for (const dir of level) {
        context.signal.throwIfAborted();
        const entries = await fs.readdir(path.join(target.absolute, dir), { withFileTypes: true });
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const entry of entries) {
          if (lines.length >= cap) {
            truncated = true;
            break;
          }
          const relative = dir ? `${dir}/${entry.name}` : entry.name;
          if (entry.isDirectory()) {
            lines.push(`${relative}/`);
            next.push(relative);
          } else if (entry.isSymbolicLink()) {
            const link = await fs.readlink(path.join(target.absolute, relative)).catch(() => '?');
            lines.push(`${relative} -> ${link}`);
          } else {
            lines.push(relative);
          }
        }
        if (truncated) break;
      }
      level = next;
    }
    if (lines.length === 0) return '(empty directory)';
    if (truncated)
      lines.push(`[truncated at ${lines.length} entries; list a subdirectory or lower maxDepth]`);
    return lines.join('\n');
  },
});
