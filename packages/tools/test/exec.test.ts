import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandEnv,
  type ExecSandbox,
  executeTool,
  prepareExecSandbox,
  TOOL_ERROR_CODES,
  type ToolContext,
} from '../src/index';
import { uniqueSleep, waitUntilNoneWith, waitUntilSomeWith } from './host-processes';
import { tempWorkspace } from './temp-workspace';

// exec behaves the same in bubblewrap and unconfined (CODY_EXEC_SANDBOX=off); both are tested
const bwrap = await prepareExecSandbox();
const modes: [string, ExecSandbox][] = [['unconfined', { kind: 'off' }]];
if (bwrap.kind === 'bwrap') modes.push(['in bubblewrap', bwrap]);
else console.warn(`exec tests in bubblewrap skipped: ${bwrap.kind === 'unavailable' ? bwrap.reason : ''}`);

describe.each(modes)('exec %s', (_mode, sandbox) => {
  const sandboxed = sandbox.kind === 'bwrap';
  let ws: Awaited<ReturnType<typeof tempWorkspace>>;
  let context: ToolContext;
  const call = (args: unknown, extra: Partial<ToolContext> = {}) =>
    executeTool('exec', JSON.stringify(args), { ...context, ...extra });

  beforeAll(async () => {
    ws = await tempWorkspace();
    context = { workspaceRoot: ws.workspace, sandbox };
    await writeFile(path.join(ws.workspace, 'data.txt'), 'one\ntwo\nthree\n');
  });
  afterAll(() => ws.cleanup());

  it('runs argv form in the workspace and reports stdout and the exit code', async () => {
    const result = await call({ command: ['cat', 'data.txt'] });
    expect(result).toEqual({ success: true, output: 'one\ntwo\nthree\n[exit code 0]' });
  });

  it('runs shell form with pipes', async () => {
    const result = await call({ shell: 'grep -c e data.txt | tr -d " "' });
    expect(result).toEqual({ success: true, output: '2\n[exit code 0]' });
  });

  it('starts in cwd, a directory of the workspace, under its real path', async () => {
    await call({ shell: 'mkdir -p sub/dir && echo inner > sub/dir/f.txt' });
    const result = await call({ shell: 'pwd; cat f.txt', cwd: 'sub/dir' });
    expect(result.output).toBe(`${path.join(ws.workspace, 'sub', 'dir')}\ninner\n[exit code 0]`);
  });

  it('reports stderr and a non-zero exit as a failure', async () => {
    const result = await call({ shell: 'echo out; echo oops >&2; exit 3' });
    expect(result.success).toBe(false);
    expect(result.output).toBe('out\n[stderr]\noops\n[exit code 3]');
    expect(result.error).toEqual({
      code: TOOL_ERROR_CODES.COMMAND_FAILED,
      message: 'Command exited with code 3',
    });
  });

  it('reports a command killed by a signal as a failure', async () => {
    const result = await call({ shell: 'kill -TERM $$' });
    expect(result.success).toBe(false);
    expect(result.error?.code).toBe(TOOL_ERROR_CODES.COMMAND_FAILED);
    // bubblewrap's PID 1 passes the death on as the shell does: exit code 128 + signal number
    expect(result.output).toBe(sandboxed ? '[exit code 143]' : '[killed by signal SIGTERM]');
  });

  it('an unknown program fails with ENOENT naming it', async () => {
    const result = await call({ command: ['definitely-not-a-command-xyz'] });
    expect(result.success).toBe(false);
    expect(result.error?.code).toBe('ENOENT');
    expect(result.output).toContain(
      sandboxed
        ? 'no such command: definitely-not-a-command-xyz'
        : 'spawn definitely-not-a-command-xyz ENOENT',
    );
  });

  it('needs exactly one of command and shell', async () => {
    const both = await call({ command: ['ls'], shell: 'ls' });
    expect(both.output).toContain('give exactly one of command');
    const neither = await call({ cwd: '.' });
    expect(neither.output).toContain('command: give exactly one of command');
  });

  it('times out, killing every process it started (grandchildren too)', async () => {
    const marker = uniqueSleep();
    const result = await call({ shell: `sleep ${marker} & echo started; wait`, timeoutMs: 500 });
    expect(result.success).toBe(false);
    expect(result.error?.code).toBe(TOOL_ERROR_CODES.TOOL_TIMEOUT);
    expect(result.output).toBe('started\n[timed out after 500 ms: the process group was killed]');
    expect(await waitUntilNoneWith(marker)).toBe(true);
  });

  it('kills what a finished command left running in the background', async () => {
    const marker = uniqueSleep();
    const result = await call({ shell: `sleep ${marker} > /dev/null 2>&1 & echo done` });
    expect(result).toEqual({ success: true, output: 'done\n[exit code 0]' });
    expect(await waitUntilNoneWith(marker)).toBe(true);
  });

  it.runIf(sandboxed)(
    'kills what left its process group and session (setsid) when the command ends',
    async () => {
      const marker = uniqueSleep();
      const result = await call({ shell: `setsid sleep ${marker} > /dev/null 2>&1 < /dev/null & echo done` });
      expect(result).toEqual({ success: true, output: 'done\n[exit code 0]' });
      expect(await waitUntilNoneWith(marker)).toBe(true);
    },
  );

  it('is killed when the call is aborted', async () => {
    const controller = new AbortController();
    const marker = uniqueSleep();
    const running = call({ shell: `echo begun; sleep ${marker}` }, { signal: controller.signal });
    // abort once the command has visibly started (its sleep runs, so the echo is done)
    expect((await waitUntilSomeWith(marker, 'sleep')).length).toBeGreaterThan(0);
    controller.abort(new Error('the run was cancelled'));
    const result = await running;
    expect(result.success).toBe(false);
    expect(result.error?.code).toBe(TOOL_ERROR_CODES.TOOL_CANCELLED);
    expect(result.output).toBe('begun\n[cancelled: the process group was killed]');
    expect(await waitUntilNoneWith(marker)).toBe(true);
  });

  it('caps the output, keeping its start and end', async () => {
    const result = await call(
      { shell: 'echo FIRST; head -c 200000 /dev/zero | tr "\\0" x; echo; echo LAST' },
      { limits: { maxOutputBytes: 2000 } },
    );
    expect(result.success).toBe(true);
    expect(Buffer.byteLength(result.output)).toBeLessThan(2200);
    expect(result.output.startsWith('FIRST\n')).toBe(true);
    expect(result.output).toMatch(/bytes (of output )?omitted/);
    expect(result.output.endsWith('LAST\n[exit code 0]')).toBe(true);
  });

  it('gives commands only allowlisted variables, HOME set to the workspace', async () => {
    const server = {
      PATH: process.env.PATH,
      LANG: 'C.UTF-8',
      OPENAI_API_KEY: 'sk-secret-canary',
      DATABASE_DSN: 'postgres://admin:pw-canary@db/x',
      MY_SERVICE_PWD: 'pwd-canary',
      REDIS_URL: 'redis://:pw@h',
      VISIBLE: 'yes',
    };
    const result = await call({ shell: 'env' }, { env: commandEnv(server, ['VISIBLE']) });
    expect(result.success).toBe(true);
    const names = result.output
      .split('\n')
      .slice(0, -1)
      .map((line) => line.split('=')[0]);
    // the shell adds PWD (and dash nothing else); the rest is exactly the allowlist
    expect(new Set(names)).toEqual(new Set(['PATH', 'LANG', 'HOME', 'VISIBLE', 'PWD']));
    expect(result.output).toContain(`HOME=${ws.workspace}\n`);
    expect(result.output).toContain('VISIBLE=yes');
    expect(result.output).not.toContain('canary');
  });
});
