import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bwrapArgs,
  commandEnv,
  describeSandboxHost,
  type ExecSandbox,
  executeTool,
  prepareExecSandbox,
  type SandboxHost,
  TOOL_ERROR_CODES,
  type ToolContext,
} from '../src/index';
import { uniqueSleep, waitUntilNoneWith, waitUntilSomeWith } from './host-processes';
import { tempWorkspace } from './temp-workspace';

const host: SandboxHost = {
  systemRoots: [{ path: '/usr' }, { path: '/bin', symlinkTo: 'usr/bin' }, { path: '/lib64' }],
  etcEntries: ['/etc/ld.so.cache', '/etc/ssl/certs'],
  networkEtcEntries: ['/etc/resolv.conf', '/etc/hosts'],
  extraReadOnly: ['/opt/node-v24'],
};
const ws = '/tmp/cody ws';

function pairs(args: string[], flag: string): string[][] {
  const found: string[][] = [];
  args.forEach((arg, i) => {
    if (arg === flag) found.push(args.slice(i + 1, i + 3));
  });
  return found;
}

describe('bwrapArgs', () => {
  const { args, files } = bwrapArgs({ host, workspaceRoot: ws, cwd: `${ws}/src`, network: false });

  it('unshares every namespace, the network too, and drops all capabilities', () => {
    for (const flag of ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-net'])
      expect(args).toContain(flag);
    expect(pairs(args, '--cap-drop')[0]?.[0]).toBe('ALL');
    expect(args).toContain('--die-with-parent');
    expect(args).toContain('--new-session');
    expect(args).not.toContain('--share-net');
  });

  it('shows system directories read-only, the workspace read-write at its own path, a private /tmp', () => {
    expect(pairs(args, '--ro-bind')).toEqual(
      expect.arrayContaining([
        ['/usr', '/usr'],
        ['/lib64', '/lib64'],
        ['/opt/node-v24', '/opt/node-v24'],
        ['/etc/ld.so.cache', '/etc/ld.so.cache'],
        ['/etc/ssl/certs', '/etc/ssl/certs'],
      ]),
    );
    expect(pairs(args, '--symlink')).toContainEqual(['usr/bin', '/bin']);
    expect(pairs(args, '--bind')).toEqual([[ws, ws]]);
    // the workspace is bound after the tmpfs on /tmp, or the tmpfs would hide it
    expect(args.indexOf('--bind')).toBeGreaterThan(args.lastIndexOf('/tmp'));
    expect(args.slice(-3)).toEqual(['--chdir', `${ws}/src`, '--']);
  });

  it('never shows the host root, /etc wholesale, home directories or the network settings', () => {
    const sources = [...pairs(args, '--ro-bind'), ...pairs(args, '--bind')].map(([source]) => source);
    for (const hidden of [
      '/',
      '/etc',
      '/home',
      '/root',
      '/run',
      '/var',
      '/sys',
      '/etc/resolv.conf',
      '/etc/passwd',
    ])
      expect(sources).not.toContain(hidden);
    // /etc is a tmpfs holding only the entries above and synthetic files, remounted read-only
    expect(pairs(args, '--tmpfs').map(([target]) => target)).toEqual(['/etc', '/tmp']);
    expect(args.indexOf('--remount-ro')).toBeGreaterThan(args.lastIndexOf('/etc/ssl/certs'));
  });

  it('writes a synthetic passwd, group and hosts: no host users, HOME is the workspace', () => {
    const data = pairs(args, '--ro-bind-data');
    expect(data).toEqual([
      ['3', '/etc/passwd'],
      ['4', '/etc/group'],
      ['5', '/etc/hosts'],
    ]);
    expect(files[0]).toContain(`cody:x:1000:1000:cody:${ws}:/bin/sh`);
    expect(
      files[0]
        ?.trim()
        .split('\n')
        .map((line) => line.split(':')[0]),
    ).toEqual(['root', 'cody', 'nobody']);
    expect(files[2]).toContain('127.0.0.1');
  });

  it('with the network on: shares it and shows the resolver settings', () => {
    const on = bwrapArgs({ host, workspaceRoot: ws, cwd: ws, network: true });
    expect(on.args).not.toContain('--unshare-net');
    expect(pairs(on.args, '--ro-bind')).toEqual(
      expect.arrayContaining([
        ['/etc/resolv.conf', '/etc/resolv.conf'],
        ['/etc/hosts', '/etc/hosts'],
      ]),
    );
    expect(pairs(on.args, '--ro-bind-data').map(([, target]) => target)).toEqual([
      '/etc/passwd',
      '/etc/group',
    ]);
  });

  it('shows a runtime installed under /tmp (a checkout’s Bun, a temp-folder Node) after the private /tmp', () => {
    const underTmp = bwrapArgs({
      host: { ...host, extraReadOnly: ['/tmp/ci/.cache/bun/node_modules/@oven/bun-linux-x64'] },
      workspaceRoot: ws,
      cwd: ws,
      network: false,
    }).args;
    const tmp = underTmp.indexOf('/tmp', underTmp.indexOf('--tmpfs', underTmp.indexOf('--dev')));
    expect(underTmp.indexOf('/tmp/ci/.cache/bun/node_modules/@oven/bun-linux-x64')).toBeGreaterThan(tmp);
  });

  it('shows extra read-only paths after the private /tmp (so one under /tmp shows), before the workspace', () => {
    const extra = bwrapArgs({
      host,
      workspaceRoot: ws,
      cwd: ws,
      network: false,
      readOnly: [
        { path: '/tmp/server-pkg' },
        { path: '/opt/bin/server', symlinkTo: '/tmp/server-pkg/cli.js' },
      ],
    }).args;
    expect(pairs(extra, '--ro-bind')).toContainEqual(['/tmp/server-pkg', '/tmp/server-pkg']);
    expect(pairs(extra, '--symlink')).toContainEqual(['/tmp/server-pkg/cli.js', '/opt/bin/server']);
    const tmp = extra.indexOf('/tmp', extra.indexOf('--tmpfs', extra.indexOf('--dev')));
    expect(extra.indexOf('/tmp/server-pkg')).toBeGreaterThan(tmp);
    expect(extra.indexOf('/tmp/server-pkg')).toBeLessThan(extra.indexOf('--bind'));
    // without them, exec's sandbox is unchanged
    expect(pairs(args, '--ro-bind').map(([from]) => from)).not.toContain('/tmp/server-pkg');
  });
});

describe('describeSandboxHost', () => {
  it('binds a Node.js installed outside /usr read-only, and nothing more for one inside', async () => {
    const prefix = realpathSync(await mkdtemp(path.join(os.tmpdir(), 'cody-node-')));
    await mkdir(path.join(prefix, 'bin'));
    await writeFile(path.join(prefix, 'bin', 'node'), '');
    try {
      expect(describeSandboxHost(path.join(prefix, 'bin', 'node')).extraReadOnly).toEqual([prefix]);
      if (existsSync('/usr/bin/sh')) expect(describeSandboxHost('/usr/bin/sh').extraReadOnly).toEqual([]);
    } finally {
      await rm(prefix, { recursive: true, force: true });
    }
  });

  it('lists only /etc entries that exist, never passwd, shadow or ssl/private', () => {
    const found = describeSandboxHost();
    for (const entry of [...found.etcEntries, ...found.networkEtcEntries])
      expect(existsSync(entry)).toBe(true);
    for (const secret of ['/etc/passwd', '/etc/shadow', '/etc/ssl', '/etc/ssl/private'])
      expect(found.etcEntries).not.toContain(secret);
  });
});

describe('no sandbox', () => {
  let tmp: Awaited<ReturnType<typeof tempWorkspace>>;
  beforeAll(async () => {
    tmp = await tempWorkspace();
  });
  afterAll(() => tmp.cleanup());

  it('without bubblewrap every exec call fails with SANDBOX_UNAVAILABLE, saying how to install it; nothing runs', async () => {
    const sandbox = await prepareExecSandbox({ bwrapPath: path.join(tmp.outside, 'no-bwrap') });
    expect(sandbox).toEqual({
      kind: 'unavailable',
      reason: `bubblewrap is not installed (no executable ${path.join(tmp.outside, 'no-bwrap')})`,
    });
    const result = await executeTool('exec', JSON.stringify({ shell: 'echo ran > ran.txt' }), {
      workspaceRoot: tmp.workspace,
      sandbox,
    });
    expect(result.success).toBe(false);
    expect(result.error?.code).toBe(TOOL_ERROR_CODES.SANDBOX_UNAVAILABLE);
    expect(result.error?.code).toBe('SANDBOX_UNAVAILABLE');
    expect(result.output).toContain('apt-get install bubblewrap');
    expect(result.output).toContain('CODY_EXEC_SANDBOX=off');
    expect(existsSync(path.join(tmp.workspace, 'ran.txt'))).toBe(false);
  });

  it('a script’s tools.exec gets the same answer', async () => {
    const sandbox = await prepareExecSandbox({ bwrapPath: path.join(tmp.outside, 'no-bwrap') });
    const result = await executeTool(
      'runScript',
      JSON.stringify({
        code: 'try { await tools.exec({ command: ["ls"] }); return "ran" } catch (e) { return e.code }',
      }),
      { workspaceRoot: tmp.workspace, sandbox },
    );
    expect(result.script?.result).toBe('"SANDBOX_UNAVAILABLE"');
  });

  it('CODY_EXEC_SANDBOX=off is unconfined: the host is visible', async () => {
    const sandbox = await prepareExecSandbox({ mode: 'off' });
    expect(sandbox).toEqual({ kind: 'off' });
    const result = await executeTool('exec', JSON.stringify({ command: ['ls', tmp.outside] }), {
      workspaceRoot: tmp.workspace,
      sandbox,
    });
    expect(result).toEqual({ success: true, output: '[exit code 0]' });
  });
});

const bwrap = await prepareExecSandbox();
const skipReason = bwrap.kind === 'unavailable' ? bwrap.reason : '';
if (skipReason) console.warn(`sandbox attack tests skipped: ${skipReason}`);

describe.skipIf(bwrap.kind !== 'bwrap')(
  `a command in bubblewrap${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let tmp: Awaited<ReturnType<typeof tempWorkspace>>;
    let context: ToolContext;
    let listener: Server;
    let listenerPort: number;
    const exec = (shell: string, extra: Partial<ToolContext> = {}) =>
      executeTool('exec', JSON.stringify({ shell }), { ...context, ...extra });
    const hostTmpFile = path.join(os.tmpdir(), `cody-sandbox-${randomUUID()}`);

    beforeAll(async () => {
      tmp = await tempWorkspace();
      context = { workspaceRoot: tmp.workspace, sandbox: bwrap as ExecSandbox };
      await writeFile(path.join(tmp.outside, 'secret.txt'), 'outside-secret');
      await writeFile(path.join(tmp.workspace, 'data.txt'), 'alpha\nbeta\ngamma\n');
      await symlink(tmp.outside, path.join(tmp.workspace, 'escape'));
      listener = createServer((socket) => socket.end('hello from the host\n'));
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      listenerPort = (listener.address() as { port: number }).port;
    });
    afterAll(async () => {
      listener.close();
      await rm(hostTmpFile, { force: true });
      await tmp.cleanup();
    });

    it('cannot read this process’s environment through /proc, nor see other processes', async () => {
      const environ = await exec(`cat /proc/${process.pid}/environ`);
      expect(environ.success).toBe(false);
      expect(environ.output).toContain('No such file or directory');
      const listing = await exec('ls /proc | grep -E "^[0-9]+$" | wc -l');
      // bubblewrap's PID 1, the shell, ls and wc — never the host's processes
      expect(Number(listing.output.split('\n')[0])).toBeLessThanOrEqual(5);
      // PID 1 is bubblewrap, whose environment is the allowlist the command got
      const init = await exec('tr "\\0" "\\n" < /proc/1/environ | cut -d= -f1 | sort');
      expect(init.success).toBe(true);
      const names = init.output.split('\n').slice(0, -1);
      expect(names).toEqual([...Object.keys(commandEnv()), 'HOME'].sort());
    });

    it('cannot read or write outside the workspace, through a symlink neither', async () => {
      const read = await exec(`cat ${tmp.outside}/secret.txt; cat escape/secret.txt`);
      expect(read.success).toBe(false);
      expect(read.output).not.toContain('outside-secret');
      // the workspace's parent exists only as the empty mount point bubblewrap made for it
      const parent = await exec(`ls -A ${tmp.root}`);
      expect(parent.output).toBe('workspace\n[exit code 0]');
      for (const target of [`${tmp.outside}/w.txt`, '/usr/w.txt', '/etc/w.txt', '/w.txt', '/proc/w.txt']) {
        const write = await exec(`echo x > ${target}`);
        expect(write.success, target).toBe(false);
        expect(write.output, target).toMatch(/Read-only file system|Directory nonexistent|No such file/);
      }
      expect(existsSync(path.join(tmp.outside, 'w.txt'))).toBe(false);
      // /tmp is private: what the command writes there never reaches the host's /tmp
      const scratch = await exec(`echo x > ${hostTmpFile} && cat ${hostTmpFile}`);
      expect(scratch).toEqual({ success: true, output: 'x\n[exit code 0]' });
      expect(existsSync(hostTmpFile)).toBe(false);
    });

    it('sees no home directories, no /root, and a synthetic /etc/passwd', async () => {
      const homes = await exec(`ls /home; ls /root; ls ${os.homedir()}`);
      expect(homes.success).toBe(false);
      expect(homes.output.match(/No such file or directory/g)?.length).toBeGreaterThanOrEqual(2);
      const passwd = await exec('cat /etc/passwd; id -un; echo ~');
      expect(passwd.output).toBe(
        [
          'root:x:0:0:root:/nonexistent:/usr/sbin/nologin',
          `cody:x:1000:1000:cody:${realpathSync(tmp.workspace)}:/bin/sh`,
          'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
          'cody',
          realpathSync(tmp.workspace),
          '[exit code 0]',
        ].join('\n'),
      );
      const root = await exec('ls /');
      expect(root.output.split('\n').slice(0, -1).sort()).toEqual(
        expect.not.arrayContaining(['home', 'root', 'work', 'var', 'run', 'sys', 'opt', 'srv', 'mnt']),
      );
    });

    it('reaches no port of the host: not Redis, not a listening server', async () => {
      const probe = (port: number) =>
        exec(
          `node -e 'require("net").connect(${port}, "127.0.0.1").on("connect", () => { console.log("connected"); process.exit(0) }).on("error", (e) => { console.log(e.code); process.exit(1) })'`,
        );
      const redis = await probe(6379);
      expect(redis.success).toBe(false);
      expect(redis.output).toMatch(/^(ECONNREFUSED|ENETUNREACH)\n/);
      const server = await probe(listenerPort);
      expect(server.output).not.toContain('connected');
      const viaShell = await exec(`bash -c 'exec 3<>/dev/tcp/127.0.0.1/${listenerPort} && cat <&3'`);
      expect(viaShell.success).toBe(false);
      expect(viaShell.output).not.toContain('hello from the host');
    });

    it('with CODY_EXEC_NETWORK=on it does reach the host', async () => {
      const networked = await prepareExecSandbox({ network: true });
      expect(networked).toMatchObject({ kind: 'bwrap', network: true });
      const result = await exec(`bash -c 'exec 3<>/dev/tcp/127.0.0.1/${listenerPort} && cat <&3'`, {
        sandbox: networked,
      });
      expect(result).toEqual({ success: true, output: 'hello from the host\n[exit code 0]' });
    });

    it('still runs what belongs in a workspace: ls, cat, grep, a pipeline, node -e, writing files', async () => {
      const result = await exec(
        'ls; cat data.txt | grep -n a | wc -l; node -e "console.log(process.version, 6 * 7)"; echo made > made.txt',
      );
      // the sandbox's `node` is the system's (a Bun run's node shim lives outside it): any version will do
      expect(result.success).toBe(true);
      expect(result.output).toMatch(/^data\.txt\nescape\n3\nv\d+\.\d+\.\d+ 42\n\[exit code 0\]$/);
      expect(readFileSync(path.join(tmp.workspace, 'made.txt'), 'utf8')).toBe('made\n');
    });

    it('a script’s tools.exec gets the same results', async () => {
      const result = await executeTool(
        'runScript',
        JSON.stringify({
          code: [
            'const ok = await tools.exec({ shell: "cat data.txt | grep -c a" });',
            `let environ; try { environ = await tools.exec({ shell: "cat /proc/${process.pid}/environ" }) } catch (e) { environ = e.code }`,
            `let outside; try { outside = await tools.exec({ command: ["cat", "${tmp.outside}/secret.txt"] }) } catch (e) { outside = e.code }`,
            'return { ok, environ, outside };',
          ].join('\n'),
        }),
        context,
      );
      expect(JSON.parse(result.script?.result ?? 'null')).toEqual({
        ok: '3\n[exit code 0]',
        environ: 'COMMAND_FAILED',
        outside: 'COMMAND_FAILED',
      });
    });

    it('dies with its worker: nothing is left after the worker is SIGKILLed', async () => {
      const marker = uniqueSleep();
      const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'exec-and-wait.ts');
      const worker = spawn(
        process.execPath,
        [
          '--conditions=@cody/source',
          '--import',
          'tsx',
          fixture,
          tmp.workspace,
          `sleep ${marker} & setsid sleep ${marker} & sleep ${marker}`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise((resolve) => worker.on('exit', resolve));
      // all three sleeps run (the setsid one too) before the kill
      expect(await waitUntilSomeWith(marker, 'sleep', 3)).toHaveLength(3);
      worker.kill('SIGKILL');
      await exited;
      expect(await waitUntilNoneWith(marker)).toBe(true);
      // starting Node with tsx on a busy machine takes a while; the test awaits the sleeps, not a time
    }, 60_000);
  },
);
