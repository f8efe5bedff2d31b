import { constants } from 'node:fs';
import { applyPatch, parsePatch } from 'diff';
import { z } from 'zod';
import { defineTool } from '../define-tool';
import { ToolError } from '../errors/tool-error';
import { TOOL_ERROR_CODES } from '../errors/tool-error-codes';
import { openInside } from '../workspace/open-inside';
import { resolveWorkspacePath } from '../workspace/resolve-workspace-path';

export const EditFileInputSchema = z
  .strictObject({
    path: z.string().min(1).describe('Existing file to edit, relative to the workspace root.'),
    oldText: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Exact text to replace (whitespace included). Must occur exactly once unless replaceAll is true.',
      ),
    newText: z.string().optional().describe('Text that replaces oldText (may be empty to delete it).'),
    replaceAll: z.boolean().optional().describe('Replace every occurrence of oldText. Default false.'),
    diff: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A unified diff of this one file (@@ hunks with context lines) to apply instead of oldText/newText.',
      ),
  })
  .superRefine((input, ctx) => {
    const replace = input.oldText !== undefined || input.newText !== undefined;
    if (replace && input.diff !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['diff'],
        message: 'give either oldText/newText or diff, not both',
      });
    } else if (!replace && input.diff === undefined) {
      ctx.addIssue({ code: 'custom', path: ['oldText'], message: 'give oldText and newText, or diff' });
    } else if (replace && input.oldText === undefined) {
      ctx.addIssue({ code: 'custom', path: ['oldText'], message: 'Required with newText' });
    } else if (replace && input.newText === undefined) {
      ctx.addIssue({ code: 'custom', path: ['newText'], message: 'Required with oldText' });
    }
  });
export type EditFileInput = z.infer<typeof EditFileInputSchema>;

export const editFileTool = defineTool({
  name: 'editFile',
  description:
    'Edit an existing file in the workspace: replace one exact, unique span (oldText → newText; include enough surrounding lines to make oldText unique, or set replaceAll), or apply a unified diff of the file (diff). Fails without changing the file when the text is not found, is ambiguous, or the diff does not apply.',
  inputSchema: EditFileInputSchema,
  async execute(input, context) {
    const target = await resolveWorkspacePath(context.workspaceRoot, input.path);
    const reading = await openInside(target, constants.O_RDONLY | constants.O_NONBLOCK);
    let before: string;
    try {
      before = await reading.readFile({ encoding: 'utf8', signal: context.signal });
    } finally {
      await reading.close();
    }
    let after: string;
    let summary: string;
    if (input.diff !== undefined) {
      after = applyDiff(before, input.diff, target.relative);
      summary = 'applied the diff';
    } else {
      const oldText = input.oldText as string;
      const newText = input.newText as string;
      const at = occurrences(before, oldText);
      if (at.length === 0) {
        throw new ToolError(
          TOOL_ERROR_CODES.EDIT_NO_MATCH,
          `oldText was not found in ${target.relative}; it must match the file exactly, whitespace and line breaks included (read the file again to see its current content)`,
        );
      }
      if (at.length > 1 && !input.replaceAll) {
        const lines = at.slice(0, 10).map((index) => lineOf(before, index));
        throw new ToolError(
          TOOL_ERROR_CODES.EDIT_AMBIGUOUS,
          `oldText occurs ${at.length} times in ${target.relative} (at lines ${lines.join(', ')}${at.length > 10 ? ', …' : ''}); include more surrounding text to make it unique, or set replaceAll: true`,
        );
      }
      after = input.replaceAll ? before.split(oldText).join(newText) : before.replace(oldText, () => newText);
      const first = lineOf(before, at[0] as number);
      summary =
        at.length === 1 ? `replaced 1 occurrence at line ${first}` : `replaced ${at.length} occurrences`;
    }
    const handle = await openInside(target, constants.O_WRONLY);
    try {
      await handle.truncate(0);
      await handle.writeFile(after, 'utf8');
    } finally {
      await handle.close();
    }
    return `Edited ${target.relative}: ${summary}`;
  },
});

function occurrences(text: string, search: string): number[] {
  const found: number[] = [];
  for (let index = text.indexOf(search); index !== -1; index = text.indexOf(search, index + search.length)) {
    found.push(index);
  }
  return found;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function applyDiff(before: string, diff: string, relative: string): string {
  let patches: ReturnType<typeof parsePatch>;
  try {
    patches = parsePatch(diff);
  } catch (error) {
    throw new ToolError(
      TOOL_ERROR_CODES.PATCH_FAILED,
      `diff is not a valid unified diff: ${(error as Error).message}`,
    );
  }
  const withHunks = patches.filter((patch) => patch.hunks.length > 0);
  if (withHunks.length !== 1) {
    throw new ToolError(
      TOOL_ERROR_CODES.PATCH_FAILED,
      withHunks.length === 0
        ? 'diff has no hunks (expected "@@ -a,b +c,d @@" sections)'
        : `diff touches ${withHunks.length} files; give one file's diff per call`,
    );
  }
  const result = applyPatch(before, withHunks[0] as (typeof withHunks)[number]);
  if (result === false) {
    throw new ToolError(
      TOOL_ERROR_CODES.PATCH_FAILED,
      `diff does not apply to ${relative}: the context or removed lines of a hunk do not match the file (read the file again and rebuild the diff)`,
    );
  }
  return result;
}
