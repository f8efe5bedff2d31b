#!/usr/bin/env node
// Finds the Bun pinned below, installing it from the npm registry into .cache/bun (git-ignored)
// when it is missing. The `bun` npm package fetches its binary in an install script that npm may
// skip, so we install the platform package (`@oven/bun-<os>-<arch>`) that carries the binary itself.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const bunVersion = '1.4.5';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, '.cache', 'bun');

function versionOf(bin) {
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

// x64 builds need AVX2; CPUs without it take the -baseline build
function platformPackage() {
  const os = { linux: 'linux', darwin: 'darwin', win32: 'windows', freebsd: 'freebsd' }[process.platform];
  const arch = { x64: 'x64', arm64: 'aarch64' }[process.arch];
  if (!os || !arch) throw new Error(`no Bun build for ${process.platform}-${process.arch}`);
  let name = `@oven/bun-${os}-${arch}`;
  if (os === 'linux' && process.report?.getReport().header.glibcVersionRuntime === undefined) name += '-musl';
  if (arch === 'x64' && os === 'linux' && !/\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'))) {
    name += name.endsWith('-musl') ? '' : '-baseline';
  }
  return name;
}

/** Path of a Bun binary of the pinned version: `bun` on PATH if it matches, else the cached install. */
export function ensureBun({ quiet = false } = {}) {
  if (versionOf('bun') === bunVersion) return 'bun';
  const pkg = platformPackage();
  const bin = join(
    cacheDir,
    'node_modules',
    ...pkg.split('/'),
    'bin',
    process.platform === 'win32' ? 'bun.exe' : 'bun',
  );
  if (versionOf(bin) === bunVersion) return bin;
  if (!quiet) console.log(`> installing ${pkg}@${bunVersion} into .cache/bun`);
  mkdirSync(cacheDir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = ['install', '--prefix', cacheDir, '--no-save', '--no-package-lock', '--ignore-scripts'];
  const result = spawnSync(npm, [...args, '--no-audit', '--no-fund', `${pkg}@${bunVersion}`], {
    stdio: quiet ? 'ignore' : 'inherit',
  });
  if (result.status !== 0 || versionOf(bin) !== bunVersion) {
    throw new Error(
      `could not install ${pkg}@${bunVersion} from the npm registry (npm exit ${result.status})`,
    );
  }
  return bin;
}

/**
 * A directory holding `node` → Bun: put first on PATH, every `node` a script spawns (package
 * managers' .bin shims, `#!/usr/bin/env node`) runs on Bun, which is what `bun --bun` does.
 */
export function nodeShimDir(bin) {
  const dir = join(cacheDir, 'node-shim');
  const link = join(dir, 'node');
  const target = bin === 'bun' ? spawnSync('which', ['bun'], { encoding: 'utf8' }).stdout.trim() : bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  symlinkSync(target, link);
  if (!existsSync(link)) throw new Error(`could not link ${link} to ${target}`);
  return dir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // `node scripts/bun.mjs args…` runs the pinned Bun with those arguments
  const bin = ensureBun({ quiet: true });
  const result = spawnSync(bin, process.argv.slice(2), { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
