import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import picomatch from 'picomatch';
import { z } from 'zod';
import { defineTool } from '../define-tool';
import { ToolError } from '../errors/tool-error';
import { TOOL_ERROR_CODES } from '../errors/tool-error-codes';
import { openInside } from '../workspace/open-inside';
import { resolveWorkspacePath } from '../workspace/resolve-workspace-path';

export const GrepInputSchema = z.strictObject({
  pattern: z
    .string()
    .min(1)
    .describe('JavaScript regular expression matched against each line (or plain text with literal: true).'),
  literal: z
    .boolean()
    .optional()
    .describe('Treat pattern as plain text, not a regular expression. Default false.'),
  ignoreCase: z.boolean().optional().describe('Case-insensitive matching. Default false.'),
  path: z
    .string()
    .min(1)
    .optional()
    .describe(
      'File or directory to search, relative to the workspace root. Default "." (the whole workspace).',
    ),
  glob: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Only search files matching this glob, relative to path, e.g. "**/*.ts"; a glob without "/" matches file names ("*.md").',
    ),
  maxResults: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('The most matching lines to return (the server caps it too).'),
});
export type GrepInput = z.infer<typeof GrepInputSchema>;

// directories nobody means to search unless they point the search into them
const skippedDirectories = new Set(['.git', 'node_modules']);
const maxLineChars = 300;
// a pathological pattern may not hold the process longer than this per file
const perFileCpuMs = 2_000;

const searchSource = `
re = new RegExp(source, flags);
search = (text, max) => {
  const found = [];
  let start = 0;
  let line = 0;
  while (start <= text.length && found.length < max) {
    let end = text.indexOf('\\n', start);
    if (end === -1) end = text.length;
    line++;
    const content = text.slice(start, end);
    if (re.test(content)) found.push([line, content]);
    if (end === text.length) break;
    start = end + 1;
  }
  return found;
};`;

export const grepTool = defineTool({
  name: 'grep',
  description:
    'Search file contents in the workspace for a regular expression (or literal text). Returns "path:line:text" per matching line, optionally only in files matching a glob. Skips binary files, .git and node_modules (unless path points into them).',
  inputSchema: GrepInputSchema,
  async execute(input, context) {
    const base = await resolveWorkspacePath(context.workspaceRoot, input.path ?? '.');
    const flags = input.ignoreCase ? 'i' : '';
    const source = input.literal ? input.pattern.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : input.pattern;
    try {
      new RegExp(source, flags);
    } catch (error) {
      throw new ToolError(TOOL_ERROR_CODES.INVALID_PATTERN, (error as Error).message);
    }
    // the regex runs in a vm context so a catastrophic pattern can be stopped by a timeout
    const sandbox = vm.createContext({ source, flags });
    vm.runInContext(searchSource, sandbox);
    const max = Math.min(input.maxResults ?? Number.POSITIVE_INFINITY, context.limits.maxGrepResults);
    const isMatch = input.glob
      ? picomatch(input.glob, { dot: true, basename: !input.glob.includes('/') })
      : undefined;
    const results: string[] = [];
    let skippedBig = 0;

    const searchFile = async (file: string, display: string) => {
      const handle = await openInside(
        { absolute: file, relative: display, root: base.root },
        constants.O_RDONLY | constants.O_NONBLOCK,
      );
      let bytes: Buffer;
      try {
        const stat = await handle.stat();
        if (!stat.isFile()) return;
        if (stat.size > context.limits.maxGrepFileBytes) {
          skippedBig++;
          return;
        }
        bytes = await handle.readFile({ signal: context.signal });
      } finally {
        await handle.close();
      }
      if (bytes.subarray(0, 8000).includes(0)) return; // binary
      sandbox.text = bytes.toString('utf8');
      sandbox.max = max - results.length;
      let found: [number, string][];
      try {
        found = vm.runInContext('search(text, max)', sandbox, { timeout: perFileCpuMs }) as [
          number,
          string,
        ][];
      } catch (error) {
        throw new ToolError(
          TOOL_ERROR_CODES.INVALID_PATTERN,
          `pattern took over ${perFileCpuMs} ms on ${display} (${(error as Error).message}); simplify the regular expression`,
        );
      }
      for (const [line, content] of found) {
        const shown = content.length > maxLineChars ? `${content.slice(0, maxLineChars)}…` : content;
        results.push(`${display}:${line}:${shown}`);
      }
    };

    const stat = await fs.stat(base.absolute);
    if (stat.isFile()) {
      await searchFile(base.absolute, base.relative);
    } else {
      const walk = async (dir: string, relative: string): Promise<void> => {
        const entries = await fs.readdir(dir, { withFileTypes: true });
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const entry of entries) {
          if (results.length >= max) return;
          context.signal.throwIfAborted();
          const childRelative = relative ? `${relative}/${entry.name}` : entry.name;
          const child = path.join(dir, entry.name);
          // symlinks are not followed: they could lead outside the workspace or loop
          if (entry.isDirectory()) {
            if (!skippedDirectories.has(entry.name)) await walk(child, childRelative);
          } else if (entry.isFile() && (!isMatch || isMatch(childRelative))) {
            await searchFile(
              child,
              base.relative === '.' ? childRelative : `${base.relative}/${childRelative}`,
            );
          }
        }
      };
      await walk(base.absolute, '');
    }
    const notes: string[] = [];
    if (results.length >= max) notes.push(`[stopped at ${max} matches; narrow the pattern, path or glob]`);
    if (skippedBig > 0)
      notes.push(`[skipped ${skippedBig} files over ${context.limits.maxGrepFileBytes} bytes]`);
    if (results.length === 0)
      return [`No matches for ${input.pattern} in ${base.relative}`, ...notes].join('\n');
    return [...results, ...notes].join('\n');
  },
});
