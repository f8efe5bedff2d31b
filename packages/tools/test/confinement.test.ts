import { constants, existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeTool, openInside, TOOL_ERROR_CODES, type ToolContext, type ToolResult } from '../src/index';
import { tempWorkspace } from './temp-workspace';

let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let context: ToolContext;
const call = (name: string, args: unknown) => executeTool(name, JSON.stringify(args), context);

function expectRefused(result: ToolResult): void {
  expect(result.success).toBe(false);
  expect(result.error?.code).toBe(TOOL_ERROR_CODES.PATH_OUTSIDE_WORKSPACE);
  expect(result.output).toContain('is outside the workspace');
}

beforeAll(async () => {
  ws = await tempWorkspace();
  context = { workspaceRoot: ws.workspace };
  await writeFile(path.join(ws.outside, 'secret.txt'), 'secret\n');
  await writeFile(path.join(ws.workspace, 'inside.txt'), 'inside\n');
  await mkdir(path.join(ws.workspace, 'sub'));
  await symlink(path.join(ws.outside, 'secret.txt'), path.join(ws.workspace, 'link-to-secret'));
  await symlink(ws.outside, path.join(ws.workspace, 'link-to-outside'));
  await symlink(path.join(ws.outside, 'created-through-link.txt'), path.join(ws.workspace, 'dangling'));
  await symlink('../inside.txt', path.join(ws.workspace, 'sub', 'link-to-inside'));
});
afterAll(() => ws.cleanup());

describe('paths that leave the workspace are refused', () => {
  it('.. climbing out', async () => {
    expectRefused(await call('readFile', { path: '../outside/secret.txt' }));
    expectRefused(await call('readFile', { path: 'sub/../../outside/secret.txt' }));
    expectRefused(await call('listDir', { path: '..' }));
    expectRefused(await call('writeFile', { path: '../outside/new.txt', content: 'x' }));
  });

  it('an absolute path outside', async () => {
    expectRefused(await call('readFile', { path: path.join(ws.outside, 'secret.txt') }));
    expectRefused(await call('readFile', { path: '/etc/passwd' }));
    expectRefused(await call('grep', { pattern: 'secret', path: ws.outside }));
  });

  it('a symlinked file pointing outside', async () => {
    const result = await call('readFile', { path: 'link-to-secret' });
    expectRefused(result);
    expect(result.output).toContain('a symlink on it leads to');
    expectRefused(await call('editFile', { path: 'link-to-secret', oldText: 'secret', newText: 'pwned' }));
    expect(await readFile(path.join(ws.outside, 'secret.txt'), 'utf8')).toBe('secret\n');
  });

  it('a symlinked directory pointing outside (read, list, write through it)', async () => {
    expectRefused(await call('readFile', { path: 'link-to-outside/secret.txt' }));
    expectRefused(await call('listDir', { path: 'link-to-outside' }));
    expectRefused(await call('writeFile', { path: 'link-to-outside/new.txt', content: 'x' }));
    expectRefused(await call('writeFile', { path: 'link-to-outside/deeper/new.txt', content: 'x' }));
    await expect(stat(path.join(ws.outside, 'new.txt'))).rejects.toThrow('ENOENT');
    await expect(stat(path.join(ws.outside, 'deeper'))).rejects.toThrow('ENOENT');
  });

  it('writing through a symlink target, existing or dangling', async () => {
    expectRefused(await call('writeFile', { path: 'link-to-secret', content: 'pwned' }));
    expect(await readFile(path.join(ws.outside, 'secret.txt'), 'utf8')).toBe('secret\n');
    expectRefused(await call('writeFile', { path: 'dangling', content: 'pwned' }));
    await expect(stat(path.join(ws.outside, 'created-through-link.txt'))).rejects.toThrow('ENOENT');
  });

  it('exec with a cwd outside, or through a symlinked directory', async () => {
    expectRefused(await call('exec', { command: ['pwd'], cwd: '..' }));
    expectRefused(await call('exec', { command: ['pwd'], cwd: 'link-to-outside' }));
    expectRefused(await call('exec', { command: ['pwd'], cwd: ws.outside }));
  });

  it('a script reaching outside through its tools', async () => {
    const result = await call('runScript', {
      code: `try { await tools.readFile({ path: '../outside/secret.txt' }); return 'read it'; } catch (e) { return e.code; }`,
    });
    expect(result).toMatchObject({
      success: true,
      output: JSON.stringify(TOOL_ERROR_CODES.PATH_OUTSIDE_WORKSPACE),
    });
  });
});

describe('paths inside the workspace still work', () => {
  it('an absolute path inside, a symlink inside, and the root itself', async () => {
    expect((await call('readFile', { path: path.join(ws.workspace, 'inside.txt') })).output).toBe('inside\n');
    expect((await call('readFile', { path: 'sub/link-to-inside' })).output).toBe('inside\n');
    expect((await call('listDir', { path: '.' })).success).toBe(true);
    const pwd = await call('exec', { command: ['pwd'], cwd: 'sub' });
    expect(pwd.output).toContain(`${path.join(ws.workspace, 'sub')}\n`);
  });

  it('a workspace root reached through a symlink', async () => {
    const alias = path.join(ws.root, 'alias');
    await symlink(ws.workspace, alias);
    const viaAlias = { workspaceRoot: alias };
    expect((await executeTool('readFile', JSON.stringify({ path: 'inside.txt' }), viaAlias)).output).toBe(
      'inside\n',
    );
    expect(
      (await executeTool('readFile', JSON.stringify({ path: path.join(alias, 'inside.txt') }), viaAlias))
        .output,
    ).toBe('inside\n');
    expectRefused(await executeTool('readFile', JSON.stringify({ path: '../outside/secret.txt' }), viaAlias));
  });
});

describe('a directory swapped for a symlink after the check (a command racing the file tools)', () => {
  // what resolveWorkspacePath returned for sub/x.txt before `sub` was replaced by a symlink out:
  // the open must notice that the descriptor it got is outside and refuse
  const swapped = async () => {
    const dir = path.join(ws.workspace, 'swapped');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'secret.txt'), 'inside copy\n');
    const checked = {
      absolute: path.join(dir, 'secret.txt'),
      relative: 'swapped/secret.txt',
      root: ws.workspace,
    };
    await rm(dir, { recursive: true });
    await symlink(ws.outside, dir);
    return checked;
  };

  it.runIf(existsSync('/proc/self/fd'))('openInside refuses to read or write through it', async () => {
    const checked = await swapped();
    await expect(openInside(checked, constants.O_RDONLY)).rejects.toMatchObject({
      code: TOOL_ERROR_CODES.PATH_OUTSIDE_WORKSPACE,
    });
    await expect(openInside(checked, constants.O_WRONLY)).rejects.toThrow(/it was swapped to lead to/);
    expect(await readFile(path.join(ws.outside, 'secret.txt'), 'utf8')).toBe('secret\n');
    const inside = await openInside(
      { absolute: path.join(ws.workspace, 'inside.txt'), relative: 'inside.txt', root: ws.workspace },
      constants.O_RDONLY,
    );
    expect(await inside.readFile('utf8')).toBe('inside\n');
    await inside.close();
  });
});
