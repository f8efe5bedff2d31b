import { accessSync, closeSync, constants, openSync, readSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SandboxHost } from '@cody/tools';

/** A path the sandbox shows read-only: bound at the same path, or recreated as a symlink. */
export interface ReadOnlyPath {
  path: string;
  symlinkTo?: string;
}

export interface ServerProgram {
  /** The command, resolved on the server's PATH: what the sandbox executes. */
  file: string;
  /** What the sandbox must show read-only for the program to run (beyond the system and the workspace). */
  readOnly: ReadOnlyPath[];
}

export interface ServerProgramOptions {
  command: string;
  args: readonly string[];
  /** The server's working directory (the workspace); relative paths are resolved against it. */
  cwd: string;
  /** The server's PATH (its environment's, not the worker's). */
  pathVariable: string | undefined;
  /** Real path of the workspace: visible read-write already. */
  workspaceRoot: string;
  /** The system directories every sandbox shows. */
  host: SandboxHost;
}

/** The command is not an executable file, here or on PATH; `code` is ENOENT or EACCES, as spawn says. */
export class ServerCommandNotFoundError extends Error {
  readonly code: 'ENOENT' | 'EACCES';
  constructor(command: string, code: 'ENOENT' | 'EACCES') {
    super(
      code === 'ENOENT'
        ? `spawn ${command} ENOENT (no such command on the server's PATH)`
        : `spawn ${command} EACCES (not an executable file)`,
    );
    this.name = 'ServerCommandNotFoundError';
    this.code = code;
  }
}

// what marks the directory a program's own files live in (its modules, its data)
const PACKAGE_MARKERS = ['package.json', 'pyproject.toml'];

/**
 * What a stdio MCP server needs to see in the sandbox to start: the command (resolved on PATH),
 * its `#!` interpreter, and each argument naming an existing file outside the workspace (e.g.
 * `node /srv/servers/x/dist/index.js`) — each with its program root:
 * - inside a `node_modules`: that whole (outermost) `node_modules`, where its dependencies are
 *   (npm's flat layout, pnpm's `.pnpm` store, npx's cache);
 * - else the nearest directory holding a package.json or pyproject.toml (never `/` nor the home
 *   directory itself);
 * - either way with the `node_modules` of every directory above (Node resolves there, and a pnpm
 *   workspace package's links point there);
 * - else the file alone.
 * A path reached through a symlink is recreated as one, so the program sees its real location.
 * What the system roots or the workspace show already is left out. Directories given as
 * arguments are not bound: a server sees only the workspace of the host's data.
 */
export function serverProgramPaths(options: ServerProgramOptions): ServerProgram {
  const { cwd, host, workspaceRoot } = options;
  const file = resolveCommand(options.command, options.pathVariable, cwd);
  const programs = [file];
  const interpreter = shebangInterpreter(file, options.pathVariable, cwd);
  if (interpreter) programs.push(interpreter);
  for (const arg of options.args) {
    if (!arg.includes('/')) continue; // a bare word: not a path, or one inside the workspace
    const candidate = path.resolve(cwd, arg);
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) programs.push(candidate);
  }

  const visible = (target: string) =>
    isInside(workspaceRoot, target) ||
    host.systemRoots.some((root) => isInside(root.path, target)) ||
    host.extraReadOnly.some((dir) => isInside(dir, target));
  const found: ReadOnlyPath[] = [];
  for (const program of programs) {
    const real = realpathSync(program);
    if (real !== program && !visible(program)) found.push({ path: program, symlinkTo: real });
    if (visible(real)) continue;
    for (const dir of programRoot(real)) if (!visible(dir)) found.push({ path: dir });
  }
  return { file, readOnly: withoutCovered(found) };
}

function resolveCommand(command: string, pathVariable: string | undefined, cwd: string): string {
  const candidates = command.includes('/')
    ? [path.resolve(cwd, command)]
    : (pathVariable ?? '')
        .split(path.delimiter)
        .filter((dir) => path.isAbsolute(dir))
        .map((dir) => path.join(dir, command));
  let denied = false;
  for (const candidate of candidates) {
    if (!statSync(candidate, { throwIfNoEntry: false })?.isFile()) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      denied = true;
    }
  }
  throw new ServerCommandNotFoundError(command, denied ? 'EACCES' : 'ENOENT');
}

/** The program a `#!` line runs (`#!/usr/bin/env node` → node on PATH), if the file has one. */
function shebangInterpreter(file: string, pathVariable: string | undefined, cwd: string): string | undefined {
  const head = Buffer.alloc(256);
  let length = 0;
  try {
    const fd = openSync(file, 'r');
    try {
      length = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const line = head.subarray(0, length).toString('utf8').split('\n')[0] ?? '';
  if (!line.startsWith('#!')) return undefined;
  const [interpreter, ...rest] = line.slice(2).trim().split(/\s+/);
  if (!interpreter) return undefined;
  const program =
    path.basename(interpreter) === 'env' ? rest.find((word) => !word.startsWith('-')) : interpreter;
  if (!program) return undefined;
  try {
    return resolveCommand(program, pathVariable, cwd);
  } catch {
    return undefined; // the server will fail to start, and say why on stderr
  }
}

/** The directories (or the file) to bind for a program at real path `file` (see serverProgramPaths). */
function programRoot(file: string): string[] {
  const parts = file.split(path.sep);
  const first = parts.indexOf('node_modules');
  const root = first > 0 ? parts.slice(0, first + 1).join(path.sep) : packageRoot(file);
  if (root === undefined) return [file];
  // Node resolves in every node_modules above too (a pnpm workspace package's links point there)
  const roots = [root];
  for (let above = path.dirname(root); ; above = path.dirname(above)) {
    const modules = path.join(above, 'node_modules');
    if (modules !== root && statSync(modules, { throwIfNoEntry: false })?.isDirectory())
      roots.push(realpathSync(modules));
    if (above === path.dirname(above)) break;
  }
  return roots;
}

/** The nearest directory above `file` marked as a package, below `/` and the home directory. */
function packageRoot(file: string): string | undefined {
  const home = os.homedir();
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (dir === home) return undefined;
    if (PACKAGE_MARKERS.some((marker) => statSync(path.join(dir, marker), { throwIfNoEntry: false })))
      return dir;
  }
  return undefined;
}

/** Drops duplicates and paths inside a directory bound already. */
function withoutCovered(paths: ReadOnlyPath[]): ReadOnlyPath[] {
  const sorted = [...paths].sort((a, b) => a.path.length - b.path.length);
  const out: ReadOnlyPath[] = [];
  for (const entry of sorted) {
    if (out.some((kept) => kept.symlinkTo === undefined && isInside(kept.path, entry.path))) continue;
    out.push(entry);
  }
  return out;
}

function isInside(dir: string, target: string): boolean {
  return target === dir || target.startsWith(dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`);
}
