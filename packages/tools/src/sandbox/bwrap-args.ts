import type { SandboxHost } from './sandbox-host';

export interface BwrapArgsOptions {
  host: SandboxHost;
  /** Real path of the workspace: bound read-write at that same path, so paths stay valid. */
  workspaceRoot: string;
  /** Real path the command starts in (inside the workspace). */
  cwd: string;
  network: boolean;
  /**
   * Further paths shown read-only (a program's own files, e.g. an MCP server's package), bound
   * at the same path — or recreated as a symlink — after /tmp, so one under /tmp shows too.
   */
  readOnly?: readonly { path: string; symlinkTo?: string }[];
}

export interface BwrapInvocation {
  /** bubblewrap's arguments up to and including `--`; the command follows. */
  args: string[];
  /** Contents to write to file descriptors 3, 4, … (synthetic /etc files read by `--ro-bind-data`). */
  files: string[];
}

/** The uid and gid a command runs as inside the sandbox (mapped to the server's own). */
export const SANDBOX_UID = 1000;

/**
 * bubblewrap's arguments for one command: new user, PID, IPC, UTS, cgroup and (unless the
 * network is on) network namespaces; no capabilities; the system's programs and libraries and a
 * minimal /etc read-only; fresh /proc and /dev; private /tmp; the workspace read-write; the
 * `readOnly` paths given; nothing else of the host (no home directories, no server directory, no
 * other processes). The command leads a new session and dies with its parent; when it exits,
 * bubblewrap's PID 1 exits and the kernel kills whatever it left running.
 */
export function bwrapArgs(options: BwrapArgsOptions): BwrapInvocation {
  const { host, workspaceRoot, cwd, network, readOnly = [] } = options;
  const args = [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(network ? [] : ['--unshare-net']),
    '--uid',
    String(SANDBOX_UID),
    '--gid',
    String(SANDBOX_UID),
    '--hostname',
    'cody-sandbox',
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
  ];
  for (const root of host.systemRoots) {
    if (root.symlinkTo !== undefined) args.push('--symlink', root.symlinkTo, root.path);
    else args.push('--ro-bind', root.path, root.path);
  }

  const files: string[] = [];
  const data = (content: string, target: string) => {
    args.push('--ro-bind-data', String(3 + files.length), target);
    files.push(content);
  };
  args.push('--tmpfs', '/etc');
  for (const entry of host.etcEntries) args.push('--ro-bind', entry, entry);
  data(
    [
      'root:x:0:0:root:/nonexistent:/usr/sbin/nologin',
      `cody:x:${SANDBOX_UID}:${SANDBOX_UID}:cody:${workspaceRoot}:/bin/sh`,
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
      '',
    ].join('\n'),
    '/etc/passwd',
  );
  data(['root:x:0:', `cody:x:${SANDBOX_UID}:`, 'nogroup:x:65534:', ''].join('\n'), '/etc/group');
  if (network) {
    for (const entry of host.networkEtcEntries) args.push('--ro-bind', entry, entry);
  }
  if (!network || !host.networkEtcEntries.includes('/etc/hosts')) {
    data('127.0.0.1\tlocalhost cody-sandbox\n::1\tlocalhost ip6-localhost\n', '/etc/hosts');
  }
  args.push('--remount-ro', '/etc');

  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  // after /tmp too: a runtime installed under /tmp (a CI checkout's Bun, `npm i node@24` in a temp
  // folder) would be hidden by the private tmpfs
  for (const dir of host.extraReadOnly) args.push('--ro-bind', dir, dir);
  for (const entry of readOnly) {
    if (entry.symlinkTo !== undefined) args.push('--symlink', entry.symlinkTo, entry.path);
    else args.push('--ro-bind', entry.path, entry.path);
  }
  // after /tmp: a workspace under /tmp is bound over the private tmpfs
  args.push('--bind', workspaceRoot, workspaceRoot);
  // the root bubblewrap made (a tmpfs holding the mount points) becomes read-only too
  args.push('--remount-ro', '/', '--chdir', cwd, '--');
  return { args, files };
}
