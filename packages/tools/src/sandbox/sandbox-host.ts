import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** What of the host a sandbox shows: found once on the file system (see describeSandboxHost). */
export interface SandboxHost {
  /** Top-level homes of programs and libraries: a directory bound read-only, or a symlink recreated. */
  systemRoots: readonly { path: string; symlinkTo?: string }[];
  /** Existing /etc entries bound read-only — only what programs need to start and run. */
  etcEntries: readonly string[];
  /** Existing /etc entries bound read-only when the network is on (resolver settings). */
  networkEtcEntries: readonly string[];
  /** Further directories bound read-only: the Node.js install when it lives outside /usr. */
  extraReadOnly: readonly string[];
}

// merged-/usr systems have these as symlinks into /usr; older ones as directories
const SYSTEM_ROOTS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
// Not /etc wholesale: it holds the host's users, its service configuration, /etc/ssl/private,
// and files a sandboxed process could read as their owner (its uid maps to the server's).
const ETC_ENTRIES = [
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'alternatives',
  'localtime',
  'timezone',
  'nsswitch.conf',
  'protocols',
  'services',
  'mime.types',
  'os-release',
  'debian_version',
  'ssl/certs',
  'ssl/openssl.cnf',
  'pki/tls/certs',
  'pki/ca-trust/extracted',
];
const NETWORK_ETC_ENTRIES = ['resolv.conf', 'hosts', 'host.conf', 'gai.conf'];

/** Reads which system directories, /etc entries and Node.js install the sandbox must show. */
export function describeSandboxHost(execPath = process.execPath): SandboxHost {
  const systemRoots: { path: string; symlinkTo?: string }[] = [];
  for (const root of SYSTEM_ROOTS) {
    const stat = lstatSync(root, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) systemRoots.push({ path: root, symlinkTo: readlinkSync(root) });
    else if (stat?.isDirectory()) systemRoots.push({ path: root });
  }
  const existing = (names: string[]) =>
    names.map((name) => `/etc/${name}`).filter((entry) => lstatSync(entry, { throwIfNoEntry: false }));
  // node is <prefix>/bin/node; its prefix holds npm and the global modules too
  const nodePrefix = path.dirname(path.dirname(realpathSync(execPath)));
  const covered = systemRoots.some(
    (root) => !root.symlinkTo && (nodePrefix === root.path || nodePrefix.startsWith(`${root.path}/`)),
  );
  return {
    systemRoots,
    etcEntries: existing(ETC_ENTRIES),
    networkEtcEntries: existing(NETWORK_ETC_ENTRIES),
    extraReadOnly: covered || nodePrefix === '/' ? [] : [nodePrefix],
  };
}
