import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeTool, TOOL_ERROR_CODES, type ToolContext } from '../src/index';
import { tempWorkspace } from './temp-workspace';

let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let context: ToolContext;
const call = (name: string, args: unknown, extra: Partial<ToolContext> = {}) =>
  executeTool(name, typeof args === 'string' ? args : JSON.stringify(args), { ...context, ...extra });

beforeAll(async () => {
  ws = await tempWorkspace();
  context = { workspaceRoot: ws.workspace };
  await writeFile(path.join(ws.workspace, 'hello.txt'), 'héllo\nworld\n');
  await mkdir(path.join(ws.workspace, 'src/deep/er'), { recursive: true });
  await writeFile(path.join(ws.workspace, 'src/a.ts'), 'export const a = 1;\n// TODO: more\n');
  await writeFile(path.join(ws.workspace, 'src/b.md'), '# TODO list\n');
  await writeFile(path.join(ws.workspace, 'src/deep/c.ts'), 'const todo = "x";\n');
  await writeFile(path.join(ws.workspace, 'src/deep/er/d.ts'), 'deep\n');
  await writeFile(
    path.join(ws.workspace, 'lines.txt'),
    Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n'),
  );
});
afterAll(() => ws.cleanup());

describe('readFile', () => {
  it('returns the file bytes verbatim', async () => {
    const result = await call('readFile', { path: 'hello.txt' });
    expect(result).toEqual({ success: true, output: 'héllo\nworld\n' });
  });

  it('pages by lines with offset and limit', async () => {
    const result = await call('readFile', { path: 'lines.txt', offset: 10, limit: 3 });
    expect(result.output).toBe('line 11\nline 12\nline 13\n');
    const last = await call('readFile', { path: 'lines.txt', offset: 98 });
    expect(last.output).toBe('line 99\nline 100');
    const past = await call('readFile', { path: 'lines.txt', offset: 500 });
    expect(past.output).toContain('past the end: the file has 100 lines');
  });

  it('pages by bytes and in base64', async () => {
    expect((await call('readFile', { path: 'hello.txt', offset: 7, limit: 5, unit: 'bytes' })).output).toBe(
      'world',
    );
    const b64 = await call('readFile', { path: 'hello.txt', encoding: 'base64' });
    expect(Buffer.from(b64.output, 'base64').toString('utf8')).toBe('héllo\nworld\n');
  });

  it('cuts a file over the cap and says how to read on', async () => {
    await writeFile(path.join(ws.workspace, 'big.txt'), 'x'.repeat(5000));
    const result = await call('readFile', { path: 'big.txt' }, { limits: { maxReadBytes: 1000 } });
    expect(result.success).toBe(true);
    expect(result.output.startsWith('x'.repeat(1000))).toBe(true);
    expect(result.output).toContain('[truncated at 1000 bytes');
    const bytes = await call(
      'readFile',
      { path: 'big.txt', unit: 'bytes', offset: 1000 },
      { limits: { maxReadBytes: 1000 } },
    );
    expect(bytes.output).toContain('read on with offset=2000');
  });

  it('a missing file fails with the real ENOENT error', async () => {
    const result = await call('readFile', { path: 'missing.txt' });
    expect(result.success).toBe(false);
    expect(result.error?.code).toBe('ENOENT');
    expect(result.output).toMatch(/^ENOENT: no such file or directory, .*missing\.txt/);
  });

  it('a directory fails with EISDIR', async () => {
    const result = await call('readFile', { path: 'src' });
    expect(result).toMatchObject({ success: false, error: { code: 'EISDIR' } });
  });
});

describe('argument validation', () => {
  it('names an unknown field (the real tool takes path, not filePath)', async () => {
    const result = await call('readFile', { filePath: 'hello.txt' });
    expect(result.success).toBe(false);
    expect(result.error?.code).toBe(TOOL_ERROR_CODES.INVALID_TOOL_ARGUMENTS);
    expect(result.output).toContain('Invalid arguments for readFile');
    expect(result.output).toContain('path: Required');
    expect(result.output).toContain('filePath');
  });

  it('names a wrong-typed field', async () => {
    const result = await call('listDir', { path: 'src', recursive: 'yes' });
    expect(result.output).toMatch(/Invalid arguments for listDir: recursive: .*boolean/);
  });

  it('rejects arguments that are not JSON', async () => {
    const result = await call('readFile', '{"path": ');
    expect(result).toMatchObject({
      success: false,
      error: { code: TOOL_ERROR_CODES.INVALID_TOOL_ARGUMENTS },
    });
    expect(result.output).toContain('not valid JSON');
  });

  it('rejects an unknown tool, listing the real ones', async () => {
    const result = await call('read_file', { path: 'x' });
    expect(result.error?.code).toBe(TOOL_ERROR_CODES.UNKNOWN_TOOL);
    expect(result.output).toContain('readFile');
  });
});

describe('listDir', () => {
  it('lists one level, directories marked', async () => {
    const result = await call('listDir', { path: 'src' });
    expect(result.output.split('\n')).toEqual(['a.ts', 'b.md', 'deep/']);
  });

  it('lists recursively to a depth, breadth-first', async () => {
    const two = await call('listDir', { path: 'src', recursive: true, maxDepth: 2 });
    expect(two.output.split('\n')).toEqual(['a.ts', 'b.md', 'deep/', 'deep/c.ts', 'deep/er/']);
    const all = await call('listDir', { path: 'src', recursive: true });
    expect(all.output).toContain('deep/er/d.ts');
  });

  it('caps the entries and says so', async () => {
    const result = await call('listDir', { recursive: true }, { limits: { maxListEntries: 3 } });
    const lines = result.output.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toContain('[truncated at 3 entries');
  });
});

describe('writeFile', () => {
  it('creates parent directories and writes the content', async () => {
    const result = await call('writeFile', { path: 'new/dir/file.txt', content: 'data ✓' });
    expect(result).toEqual({ success: true, output: 'Wrote 8 bytes to new/dir/file.txt' });
    expect(await readFile(path.join(ws.workspace, 'new/dir/file.txt'), 'utf8')).toBe('data ✓');
  });

  it('appends', async () => {
    await call('writeFile', { path: 'log.txt', content: 'a\n' });
    await call('writeFile', { path: 'log.txt', content: 'b\n', append: true });
    expect(await readFile(path.join(ws.workspace, 'log.txt'), 'utf8')).toBe('a\nb\n');
  });
});

describe('editFile', () => {
  it('replaces one exact unique span', async () => {
    await writeFile(path.join(ws.workspace, 'edit.txt'), 'one\ntwo\nthree\n');
    const result = await call('editFile', { path: 'edit.txt', oldText: 'two\n', newText: 'TWO\n2\n' });
    expect(result).toEqual({ success: true, output: 'Edited edit.txt: replaced 1 occurrence at line 2' });
    expect(await readFile(path.join(ws.workspace, 'edit.txt'), 'utf8')).toBe('one\nTWO\n2\nthree\n');
  });

  it('fails clearly when oldText is not found, leaving the file alone', async () => {
    await writeFile(path.join(ws.workspace, 'edit2.txt'), 'alpha\n');
    const result = await call('editFile', { path: 'edit2.txt', oldText: 'beta', newText: 'x' });
    expect(result).toMatchObject({ success: false, error: { code: TOOL_ERROR_CODES.EDIT_NO_MATCH } });
    expect(result.output).toContain('oldText was not found in edit2.txt');
    expect(await readFile(path.join(ws.workspace, 'edit2.txt'), 'utf8')).toBe('alpha\n');
  });

  it('fails clearly on an ambiguous match, and replaceAll replaces every one', async () => {
    await writeFile(path.join(ws.workspace, 'edit3.txt'), 'x = 1\ny = 2\nx = 1\n');
    const ambiguous = await call('editFile', { path: 'edit3.txt', oldText: 'x = 1', newText: 'x = 3' });
    expect(ambiguous).toMatchObject({ success: false, error: { code: TOOL_ERROR_CODES.EDIT_AMBIGUOUS } });
    expect(ambiguous.output).toContain('occurs 2 times in edit3.txt (at lines 1, 3)');
    const all = await call('editFile', {
      path: 'edit3.txt',
      oldText: 'x = 1',
      newText: 'x = 3',
      replaceAll: true,
    });
    expect(all.success).toBe(true);
    expect(await readFile(path.join(ws.workspace, 'edit3.txt'), 'utf8')).toBe('x = 3\ny = 2\nx = 3\n');
  });

  it('applies a unified diff and refuses one that does not match', async () => {
    await writeFile(path.join(ws.workspace, 'patch.txt'), 'a\nb\nc\nd\n');
    const diff = '--- a/patch.txt\n+++ b/patch.txt\n@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n d\n';
    const result = await call('editFile', { path: 'patch.txt', diff });
    expect(result.success).toBe(true);
    expect(await readFile(path.join(ws.workspace, 'patch.txt'), 'utf8')).toBe('a\nB\nc\nd\n');
    const again = await call('editFile', { path: 'patch.txt', diff });
    expect(again).toMatchObject({ success: false, error: { code: TOOL_ERROR_CODES.PATCH_FAILED } });
  });

  it('needs either oldText/newText or diff', async () => {
    const result = await call('editFile', { path: 'patch.txt' });
    expect(result.output).toContain('oldText: give oldText and newText, or diff');
  });
});

describe('grep', () => {
  it('finds a regex, reporting path:line:text', async () => {
    const result = await call('grep', { pattern: 'TODO', path: 'src' });
    expect(result.output.split('\n')).toEqual(['src/a.ts:2:// TODO: more', 'src/b.md:1:# TODO list']);
  });

  it('filters by glob, matches literally and case-insensitively', async () => {
    const ts = await call('grep', { pattern: 'todo', ignoreCase: true, glob: '**/*.ts' });
    expect(ts.output.split('\n')).toEqual(['src/a.ts:2:// TODO: more', 'src/deep/c.ts:1:const todo = "x";']);
    const literal = await call('grep', { pattern: '"x"', literal: true });
    expect(literal.output).toBe('src/deep/c.ts:1:const todo = "x";');
  });

  it('caps the results and says so; no match is a success', async () => {
    const capped = await call(
      'grep',
      { pattern: 'line', path: 'lines.txt' },
      { limits: { maxGrepResults: 5 } },
    );
    expect(capped.output.split('\n')).toHaveLength(6);
    expect(capped.output).toContain('[stopped at 5 matches');
    const none = await call('grep', { pattern: 'nothing-like-this' });
    expect(none).toEqual({ success: true, output: 'No matches for nothing-like-this in .' });
  });

  it('reports an invalid regular expression', async () => {
    const result = await call('grep', { pattern: '(unclosed' });
    expect(result).toMatchObject({ success: false, error: { code: TOOL_ERROR_CODES.INVALID_PATTERN } });
    expect(result.output).toContain('Invalid regular expression');
  });

  it('answers a catastrophically backtracking pattern correctly instead of hanging or guessing', async () => {
    // a backtracking engine takes exponential time on this line (V8) or gives up and says "no
    // match" (JavaScriptCore); grep's linear-time engine must give the real answer on both
    await writeFile(path.join(ws.workspace, 'redos.txt'), `${'a'.repeat(40)}!\n${'a'.repeat(40)}\n`);
    const result = await call('grep', { pattern: '^(a+)+$', path: 'redos.txt' });
    expect(result).toEqual({ success: true, output: `redos.txt:2:${'a'.repeat(40)}` });
    const nested = await call('grep', { pattern: '(x+x+)+y', path: 'redos.txt' });
    expect(nested).toEqual({ success: true, output: 'No matches for (x+x+)+y in redos.txt' });
  });

  it('refuses what it cannot match in linear time, saying why, instead of "No matches"', async () => {
    await writeFile(path.join(ws.workspace, 'pairs.txt'), 'abab\nfoo=1\n');
    for (const pattern of ['(ab)\\1', '(?<p>ab)\\k<p>', 'foo(?==)', 'foo(?!x)']) {
      const result = await call('grep', { pattern, path: 'pairs.txt' });
      expect(result, pattern).toMatchObject({
        success: false,
        error: { code: TOOL_ERROR_CODES.INVALID_PATTERN },
      });
      expect(result.output, pattern).toMatch(/no (backreferences|lookahead)/);
    }
    // an escaped backslash before a digit is no backreference; a lookbehind runs in linear time
    expect(await call('grep', { pattern: '\\\\1', literal: false, path: 'pairs.txt' })).toMatchObject({
      success: true,
    });
    expect((await call('grep', { pattern: '(?<=foo)=\\d', path: 'pairs.txt' })).output).toBe(
      'pairs.txt:2:foo=1',
    );
    const huge = Array.from({ length: 30 }, (_, i) => `${String.fromCharCode(97 + (i % 26))}{1000}`).join(
      '|',
    );
    const tooBig = await call('grep', { pattern: huge, path: 'pairs.txt' });
    expect(tooBig).toMatchObject({ success: false, error: { code: TOOL_ERROR_CODES.INVALID_PATTERN } });
    expect(tooBig.output).toContain('simplify the regular expression');
  });

  it('keeps JavaScript syntax: named groups, \\u escapes, ignoreCase', async () => {
    await writeFile(path.join(ws.workspace, 'js.txt'), 'caf\u00e9 Latte\nplain\n');
    const named = await call('grep', {
      pattern: '(?<drink>caf\\u00e9) latte',
      ignoreCase: true,
      path: 'js.txt',
    });
    expect(named.output).toBe('js.txt:1:caf\u00e9 Latte');
    const literal = await call('grep', { pattern: 'LATTE', literal: true, ignoreCase: true, path: 'js.txt' });
    expect(literal.output).toBe('js.txt:1:caf\u00e9 Latte');
  });
});

describe('limits', () => {
  it('caps any output with a note', async () => {
    await writeFile(path.join(ws.workspace, 'wide.txt'), 'y'.repeat(10_000));
    const result = await call('readFile', { path: 'wide.txt' }, { limits: { maxOutputBytes: 1000 } });
    expect(Buffer.byteLength(result.output)).toBeLessThan(1100);
    expect(result.output).toContain('bytes of output omitted (cap 1000 bytes)');
  });

  it('refuses a FIFO instead of blocking on it', async () => {
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path.join(ws.workspace, 'fifo')]);
    expect((await stat(path.join(ws.workspace, 'fifo'))).isFIFO()).toBe(true);
    const result = await call('readFile', { path: 'fifo' });
    expect(result).toMatchObject({
      success: false,
      error: { code: 'ENOTFILE' },
      output: 'fifo is not a regular file',
    });
  });

  it('times out a file tool that runs past its limit', async () => {
    // 2000 files to search cannot be done within 1 ms: the limit fires first
    const dir = path.join(ws.workspace, 'many');
    await mkdir(dir);
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) => writeFile(path.join(dir, `f${i}.txt`), 'needle\n')),
    );
    const result = await call('grep', { pattern: 'needle', path: 'many' }, { limits: { toolTimeoutMs: 1 } });
    expect(result).toEqual({
      success: false,
      output: 'grep timed out after 1 ms',
      error: { code: TOOL_ERROR_CODES.TOOL_TIMEOUT, message: 'grep timed out after 1 ms' },
    });
  });
});
