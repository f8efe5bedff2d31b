import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeTool, TOOL_ERROR_CODES, type ToolContext } from '../src/index';
import { tempWorkspace } from './temp-workspace';

let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let context: ToolContext;
const script = (code: string, extra: Partial<ToolContext> = {}, language?: 'typescript') =>
  executeTool('runScript', JSON.stringify({ code, language }), { ...context, ...extra });

beforeAll(async () => {
  ws = await tempWorkspace();
  context = {
    workspaceRoot: ws.workspace,
    // far above any honest run on a busy machine: only the tests of the limit itself set a short one
    limits: { scriptTimeoutMs: 120_000, scriptMemoryBytes: 32 * 1024 * 1024 },
  };
  await writeFile(path.join(ws.workspace, 'a.txt'), 'alpha\n');
  await writeFile(path.join(ws.workspace, 'b.txt'), 'beta\nbeta\n');
});
afterAll(() => ws.cleanup());

describe('runScript', () => {
  it('returns the last expression as JSON', async () => {
    const result = await script('const x = { n: 1 + 2, list: [1, "two"] }; x');
    expect(result).toMatchObject({ success: true, output: '{"n":3,"list":[1,"two"]}' });
    expect(result.script).toEqual({ success: true, result: '{"n":3,"list":[1,"two"]}', logs: [] });
  });

  it('calls two tools and returns a JSON result', async () => {
    const result = await script(`
      const a = await tools.readFile({ path: 'a.txt' });
      const b = await tools.readFile({ path: 'b.txt' });
      console.log('read', a.length + b.length, 'chars');
      return { a: a.trim(), bLines: b.trim().split('\\n').length };
    `);
    expect(result.success).toBe(true);
    expect(JSON.parse(result.script?.result ?? '')).toEqual({ a: 'alpha', bLines: 2 });
    expect(result.script?.logs).toEqual(['read 16 chars']);
    expect(result.output).toBe('{"a":"alpha","bLines":2}\n[console]\nread 16 chars');
  });

  it('runs tool calls in parallel and can write through the bridge', async () => {
    const result = await script(`
      const [listing, echoed] = await Promise.all([tools.listDir({}), tools.exec({ command: ['echo', 'hi'] })]);
      await tools.writeFile({ path: 'out/result.txt', content: listing });
      ({ listing: listing.split('\\n'), echoed })
    `);
    expect(result.success).toBe(true);
    expect(JSON.parse(result.script?.result ?? '')).toEqual({
      listing: ['a.txt', 'b.txt'],
      echoed: 'hi\n[exit code 0]',
    });
    expect(await readFile(path.join(ws.workspace, 'out/result.txt'), 'utf8')).toBe('a.txt\nb.txt');
  });

  it('a failing tool throws inside the script with the real error, catchable', async () => {
    const caught = await script(`
      try { await tools.readFile({ path: 'missing.txt' }); } catch (e) { return { name: e.name, code: e.code, message: e.message }; }
    `);
    expect(JSON.parse(caught.script?.result ?? '')).toMatchObject({ name: 'ToolError', code: 'ENOENT' });
    expect(JSON.parse(caught.script?.result ?? '').message).toMatch(/^ENOENT: no such file or directory/);
    const uncaught = await script(`await tools.readFile({ path: 'missing.txt' })`);
    expect(uncaught.success).toBe(false);
    expect(uncaught.script?.error?.code).toBe('ENOENT');
  });

  it('bad tool arguments inside a script name the field', async () => {
    const result = await script(`await tools.readFile({ filePath: 'a.txt' })`);
    expect(result.success).toBe(false);
    expect(result.script?.error?.code).toBe(TOOL_ERROR_CODES.INVALID_TOOL_ARGUMENTS);
    expect(result.script?.error?.message).toContain('path: Required');
  });

  it('strips TypeScript types', async () => {
    const result = await script(
      `interface Row { name: string; size: number }
       const text: string = await tools.readFile({ path: 'b.txt' });
       const rows: Row[] = text.trim().split('\\n').map((name, i): Row => ({ name, size: i }));
       return rows as unknown as Row[];`,
      {},
      'typescript',
    );
    expect(result.success).toBe(true);
    expect(JSON.parse(result.script?.result ?? '')).toEqual([
      { name: 'beta', size: 0 },
      { name: 'beta', size: 1 },
    ]);
  });

  it('a throw is a failure with code, message and stack', async () => {
    const result = await script('function explode() { throw new TypeError("boom"); }\nexplode();');
    expect(result.success).toBe(false);
    expect(result.script?.error).toMatchObject({
      code: TOOL_ERROR_CODES.SCRIPT_ERROR,
      message: 'TypeError: boom',
    });
    expect(result.script?.error?.stack).toContain('explode');
    expect(result.output).toContain('Script failed (SCRIPT_ERROR): TypeError: boom');
  });

  it('a syntax error is a failure', async () => {
    const result = await script('let = = 1;');
    expect(result.script?.error?.message).toMatch(/^SyntaxError/);
  });

  it('an infinite loop is stopped by the time limit', async () => {
    const result = await script('console.log("spinning"); for (;;) {}', { limits: { scriptTimeoutMs: 300 } });
    expect(result.success).toBe(false);
    expect(result.script?.error).toEqual({
      code: TOOL_ERROR_CODES.SCRIPT_TIMEOUT,
      message: 'script exceeded its time limit of 300 ms',
    });
    // what it logged before the kill is kept; on a loaded machine the limit may strike before
    // the first line ran, so the outcome is asserted, not how far it got
    expect(['spinning'].slice(0, result.script?.logs.length)).toEqual(result.script?.logs);
  });

  it('a busy script does not block other tool calls', async () => {
    let scriptDone = false;
    const controller = new AbortController();
    // it spins until it is cancelled, once the other call has answered
    const busy = script('for (;;) {}', { signal: controller.signal }).then((result) => {
      scriptDone = true;
      return result;
    });
    const read = await executeTool('readFile', JSON.stringify({ path: 'a.txt' }), context);
    expect(read.output).toBe('alpha\n');
    expect(scriptDone).toBe(false);
    controller.abort(new Error('done'));
    expect((await busy).script?.error?.code).toBe(TOOL_ERROR_CODES.TOOL_CANCELLED);
  });

  it('an infinite loop after an await is stopped too', async () => {
    const result = await script(`await tools.readFile({ path: 'a.txt' }); while (true) {}`, {
      limits: { scriptTimeoutMs: 300 },
    });
    expect(result.script?.error?.code).toBe(TOOL_ERROR_CODES.SCRIPT_TIMEOUT);
  });

  it('a slow tool call counts against the time limit and is killed', async () => {
    const result = await script(`await tools.exec({ shell: 'sleep 20' })`, {
      limits: { scriptTimeoutMs: 300 },
    });
    expect(result.script?.error?.code).toBe(TOOL_ERROR_CODES.SCRIPT_TIMEOUT);
  });

  it('a memory blowup hits the memory limit, objects or big strings', async () => {
    const limits = { scriptMemoryBytes: 16 * 1024 * 1024, scriptTimeoutMs: 120_000 };
    const objects = await script('const xs = []; for (;;) xs.push({ i: xs.length, s: "x" + xs.length });', {
      limits,
    });
    expect(objects.success).toBe(false);
    expect(objects.script?.error?.code).toBe(TOOL_ERROR_CODES.SCRIPT_MEMORY_LIMIT);
    const strings = await script('const xs = []; for (;;) xs.push("y".repeat(100000) + xs.length);', {
      limits,
    });
    expect(strings.script?.error?.code).toBe(TOOL_ERROR_CODES.SCRIPT_MEMORY_LIMIT);
  });

  it('deep recursion is a stack overflow error, not a crash', async () => {
    const result = await script('function down(n) { return down(n + 1) + 1; } down(0);');
    expect(result.success).toBe(false);
    expect(result.script?.error?.message).toBe('InternalError: stack overflow');
  });

  it('awaiting a promise that can never settle fails instead of hanging', async () => {
    const result = await script('await new Promise(() => {});');
    expect(result.script?.error?.message).toContain('can never settle');
  });

  it('a result that is not JSON-serialisable fails clearly', async () => {
    const result = await script('({ big: 10n })');
    expect(result.script?.error?.code).toBe(TOOL_ERROR_CODES.SCRIPT_RESULT_NOT_JSON);
  });

  it('undefined becomes null; sandbox has no Node APIs', async () => {
    expect((await script('undefined')).script?.result).toBe('null');
    const result = await script('typeof require + "," + typeof process + "," + typeof fetch');
    expect(result.script?.result).toBe('"undefined,undefined,undefined"');
  });

  it('scripts cannot nest runScript', async () => {
    const result = await script('typeof tools.runScript');
    expect(result.script?.result).toBe('"undefined"');
  });

  it('is cancelled with the call', async () => {
    const controller = new AbortController();
    const running = script(`await tools.exec({ shell: 'sleep 20' })`, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by the user')), 100);
    const result = await running;
    expect(result.success).toBe(false);
    expect(result.script?.error).toEqual({
      code: TOOL_ERROR_CODES.TOOL_CANCELLED,
      message: 'script was cancelled',
    });
  });

  it('leaves nothing behind across many runs, failing ones included', async () => {
    const codes = [
      '1',
      'throw new Error("x")',
      `await tools.readFile({ path: 'a.txt' })`,
      `tools.readFile({ path: 'a.txt' }); 'not awaited'`,
      'await tools.readFile({ path: "nope" })',
      'let = ;',
    ];
    for (let i = 0; i < 4 * codes.length; i++) {
      const code = codes[i % codes.length] as string;
      const result = await script(code);
      // a leaked QuickJS handle makes the runtime's disposal fail, which runScript reports
      expect(result.script?.error?.message ?? '').not.toContain('sandbox');
      expect(result.success).toBe(i % codes.length === 0 || i % codes.length === 2 || i % codes.length === 3);
    }
    expect((await script('40 + 2')).output).toBe('42');
  });
});
