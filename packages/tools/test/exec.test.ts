import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeTool, TOOL_ERROR_CODES, type ToolContext } from '../src/index';
import { tempWorkspace } from './temp-workspace';

let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let context: ToolContext;
const call = (args: unknown, extra: Partial<ToolContext> = {}) =>
  executeTool('exec', JSON.stringify(args), { ...context, ...extra });

// a killed process whose parent died stays a zombie until init reaps it: that counts as dead
function isAlive(pid: number): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return status.slice(status.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntilDead(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return !isAlive(pid);
}

beforeAll(async () => {
  ws = await tempWorkspace();
  context = { workspaceRoot: ws.workspace };
  await writeFile(path.join(ws.workspace, 'data.txt'), 'one\ntwo\nthree\n');
});
afterAll(() => ws.cleanup());

describe('exec', () => {
  it('runs argv form in the workspace and reports stdout and the exit code', async () => {
    const result = await call({ command: ['cat', 'data.txt'] });
    expect(result).toEqual({ success: true, output: 'one\ntwo\nthree\n[exit code 0]' });
  });

  it('runs shell form with pipes', async () => {
    const result = await call({ shell: 'grep -c e data.txt | tr -d " "' });
    expect(result).toEqual({ success: true, output: '2\n[exit code 0]' });
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

  it('reports a signal', async () => {
    const result = await call({ shell: 'kill -TERM $$' });
    expect(result.success).toBe(false);
    expect(result.output).toBe('[killed by signal SIGTERM]');
  });

  it('an unknown program fails with the real spawn error, worded alike on Node and Bun', async () => {
    const result = await call({ command: ['definitely-not-a-command-xyz'] });
    const message =
      'spawn definitely-not-a-command-xyz ENOENT (no such command: definitely-not-a-command-xyz)';
    expect(result).toEqual({ success: false, output: message, error: { code: 'ENOENT', message } });
    await writeFile(path.join(ws.workspace, 'not-executable'), 'echo hi\n');
    const denied = await call({ command: ['./not-executable'] });
    expect(denied.error?.code).toBe('EACCES');
    expect(denied.output).toBe('spawn ./not-executable EACCES');
  });

  it('needs exactly one of command and shell', async () => {
    const both = await call({ command: ['ls'], shell: 'ls' });
    expect(both.output).toContain('give exactly one of command');
    const neither = await call({ cwd: '.' });
    expect(neither.output).toContain('command: give exactly one of command');
  });

  it('times out, killing the whole process group (grandchildren too)', async () => {
    const result = await call({
      shell: 'sleep 30 & echo $! > child.pid; echo started; wait',
      timeoutMs: 500,
    });
    expect(result.success).toBe(false);
    expect(result.error?.code).toBe(TOOL_ERROR_CODES.TOOL_TIMEOUT);
    expect(result.output).toBe('started\n[timed out after 500 ms: the process group was killed]');
    const grandchild = Number(await readFile(path.join(ws.workspace, 'child.pid'), 'utf8'));
    expect(await waitUntilDead(grandchild)).toBe(true);
  });

  it('kills what a finished command left running in the background', async () => {
    const result = await call({ shell: 'sleep 30 > /dev/null 2>&1 & echo $! > bg.pid; echo done' });
    expect(result).toEqual({ success: true, output: 'done\n[exit code 0]' });
    const background = Number(await readFile(path.join(ws.workspace, 'bg.pid'), 'utf8'));
    expect(await waitUntilDead(background)).toBe(true);
  });

  it('is killed when the call is aborted', async () => {
    const controller = new AbortController();
    const running = call(
      { shell: 'echo $$ > abort.pid; echo begun; sleep 30' },
      { signal: controller.signal },
    );
    // abort once the command has visibly started
    for (let i = 0; i < 200; i++) {
      const pid = await readFile(path.join(ws.workspace, 'abort.pid'), 'utf8').catch(() => '');
      if (pid.trim()) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort(new Error('the run was cancelled'));
    const result = await running;
    expect(result.success).toBe(false);
    expect(result.error?.code).toBe(TOOL_ERROR_CODES.TOOL_CANCELLED);
    expect(result.output).toBe('begun\n[cancelled: the process group was killed]');
    const pid = Number(await readFile(path.join(ws.workspace, 'abort.pid'), 'utf8'));
    expect(await waitUntilDead(pid)).toBe(true);
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

  it('does not hand the server’s secrets to commands', async () => {
    const env = {
      PATH: process.env.PATH,
      OPENAI_API_KEY: 'sk-secret',
      REDIS_URL: 'redis://:pw@h',
      VISIBLE: 'yes',
    };
    const { commandEnv } = await import('../src/index');
    const result = await call({ shell: 'env' }, { env: commandEnv(env) });
    expect(result.output).toContain('VISIBLE=yes');
    expect(result.output).not.toContain('sk-secret');
    expect(result.output).not.toContain('REDIS_URL');
  });
});
