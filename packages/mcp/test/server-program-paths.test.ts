// What a sandboxed stdio server is shown of the host's files, worked out on real temp trees.
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSandboxHost } from '@cody/tools';
import { afterAll, describe, expect, it } from 'vitest';
import { ServerCommandNotFoundError, serverProgramPaths } from '../src/index';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'cody-program-paths-')));
const workspace = join(root, 'ws');
const host = describeSandboxHost();
afterAll(() => rmSync(root, { recursive: true, force: true }));

function file(path: string, text: string, mode = 0o644): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}
mkdirSync(workspace, { recursive: true });
const paths = (command: string, args: string[] = [], pathVariable = '/usr/bin:/bin') =>
  serverProgramPaths({ command, args, cwd: workspace, pathVariable, workspaceRoot: workspace, host });

describe('serverProgramPaths', () => {
  it('a missing command is ENOENT, a file that is not executable EACCES, as spawn says', () => {
    expect(() => paths('no-such-mcp-server')).toThrow(ServerCommandNotFoundError);
    expect(() => paths('no-such-mcp-server')).toThrow('spawn no-such-mcp-server ENOENT');
    const plain = file(join(root, 'plain', 'server'), 'echo\n');
    expect(() => paths(plain)).toThrow(`spawn ${plain} EACCES`);
  });

  it('node from PATH and a script in a node_modules: the outermost node_modules, nothing of the system', () => {
    const script = file(
      join(root, 'app', 'node_modules', '.pnpm', 'x@1', 'node_modules', 'x', 'dist', 'index.js'),
      '',
    );
    const program = paths('node', [script, 'stdio', '--root', '/srv/data']);
    expect(program.file).toBe(join('/usr/bin', 'node'));
    expect(program.readOnly).toEqual([{ path: join(root, 'app', 'node_modules') }]);
  });

  it('a script in a package: the package and the node_modules above it; a directory argument is not shown', () => {
    mkdirSync(join(root, 'repo', 'node_modules'), { recursive: true });
    file(join(root, 'repo', 'packages', 'srv', 'package.json'), '{}');
    const script = file(join(root, 'repo', 'packages', 'srv', 'src', 'server.mjs'), '');
    mkdirSync(join(root, 'data'));
    // order: as bwrap binds them, which does not matter for disjoint paths
    expect(
      paths('node', [script, join(root, 'data')]).readOnly.sort((x, y) => x.path.localeCompare(y.path)),
    ).toEqual([
      { path: join(root, 'repo', 'node_modules') },
      { path: join(root, 'repo', 'packages', 'srv') },
    ]);
  });

  it('a bin linked onto PATH: the link recreated, its target’s node_modules, its #! interpreter from PATH', () => {
    const target = file(
      join(root, 'global', 'node_modules', 'srv', 'cli.js'),
      '#!/usr/bin/env node\n',
      0o755,
    );
    symlinkSync(target, join(root, 'bin-srv'));
    mkdirSync(join(root, 'bin'));
    symlinkSync(target, join(root, 'bin', 'srv'));
    const program = paths('srv', [], `${join(root, 'bin')}:/usr/bin`);
    expect(program.file).toBe(join(root, 'bin', 'srv'));
    expect(program.readOnly).toEqual([
      { path: join(root, 'bin', 'srv'), symlinkTo: target },
      { path: join(root, 'global', 'node_modules') },
    ]);
  });

  it('what the workspace holds is visible already: nothing more', () => {
    const inside = file(join(workspace, 'tools', 'server.js'), '');
    expect(paths('node', [inside, 'tools/server.js']).readOnly).toEqual([]);
  });
});
