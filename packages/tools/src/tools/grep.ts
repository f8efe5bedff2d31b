import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { RE2JS } from 're2js';
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
    .describe(
      'Regular expression (JavaScript syntax, matched in linear time: no backreferences or lookahead) tested against each line, or plain text with literal: true.',
    ),
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
// RE2 caps nested repetition itself; this caps the automaton a long alternation could still build,
// which with the file size cap bounds the work of one file
const maxProgramSize = 20_000;
// backreferences have no linear-time algorithm; RE2 would misread `\k<name>` as the text "k<name>"
const backreference = /(?:^|[^\\])(?:\\\\)*\\(?:k<|[1-9])/;

/** A line test that always finishes in time linear in the line: RE2 semantics on every runtime. */
function compileLineTest(input: GrepInput): (line: string) => boolean {
  if (input.literal) {
    const needle = input.ignoreCase ? input.pattern.toLowerCase() : input.pattern;
    return input.ignoreCase ? (line) => line.toLowerCase().includes(needle) : (line) => line.includes(needle);
  }
  const flags = input.ignoreCase ? 'i' : '';
  try {
    new RegExp(input.pattern, flags); // the pattern language is JavaScript's: its errors first
  } catch (error) {
    throw new ToolError(TOOL_ERROR_CODES.INVALID_PATTERN, (error as Error).message);
  }
  const unsupported = (what: string) =>
    new ToolError(
      TOOL_ERROR_CODES.INVALID_PATTERN,
      `grep matches in linear time (RE2), which has no ${what}; rewrite the pattern without it or search more broadly and read the file`,
    );
  if (backreference.test(input.pattern)) throw unsupported('backreferences');
  let re: RE2JS;
  try {
    re = RE2JS.compile(
      RE2JS.translateRegExp(input.pattern),
      RE2JS.LOOKBEHINDS | (input.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0),
    );
  } catch (error) {
    const message = (error as Error).message;
    if (message.includes('`(?=') || message.includes('`(?!')) throw unsupported('lookahead');
    throw new ToolError(TOOL_ERROR_CODES.INVALID_PATTERN, message);
  }
  if (re.programSize() > maxProgramSize) {
    throw new ToolError(
      TOOL_ERROR_CODES.INVALID_PATTERN,
      `pattern compiles to ${re.programSize()} instructions (the most is ${maxProgramSize}); simplify the regular expression`,
    );
  }
  return (line) => re.test(line);
}

function matchingLines(text: string, test: (line: string) => boolean, max: number): [number, string][] {
  const found: [number, string][] = [];
  let start = 0;
  let line = 0;
  while (start <= text.length && found.length < max) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    const content = text.slice(start, end);
    if (test(content)) found.push([line, content]);
    if (end === text.length) break;
    start = end + 1;
  }
  return found;
}

export const grepTool = defineTool({
  name: 'grep',
  description:
    'Search file contents in the workspace for a regular expression (or literal text). Returns "path:line:text" per matching line, optionally only in files matching a glob. Skips binary files, .git and node_modules (unless path points into them).',
  inputSchema: GrepInputSchema,
  async execute(input, context) {
    const base = await resolveWorkspacePath(context.workspaceRoot, input.path ?? '.');
    const test = compileLineTest(input);
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
      for (const [line, content] of matchingLines(bytes.toString('utf8'), test, max - results.length)) {
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
