import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bwrapArgs } from './bwrap-args';
import type { ExecSandbox } from './exec-sandbox';
import { DEFAULT_EXEC_SANDBOX_SETTINGS, type ExecSandboxSettings } from './exec-sandbox-settings';
import { describeSandboxHost } from './sandbox-host';
import { spawnInSandbox } from './spawn-in-sandbox';

const probes = new Map<string, Promise<ExecSandbox>>();

/**
 * Finds out, once per process and settings, whether exec can confine commands: runs a real
 * command in a sandbox built exactly like exec's (so a missing bwrap, a kernel refusing user or
 * PID namespaces, or a bwrap too old for an option all show here, not at the model's first
 * call). Never throws; an unusable sandbox is `{kind: 'unavailable', reason}`.
 */
export function prepareExecSandbox(settings: Partial<ExecSandboxSettings> = {}): Promise<ExecSandbox> {
  const resolved = { ...DEFAULT_EXEC_SANDBOX_SETTINGS, ...settings };
  if (resolved.mode === 'off') return Promise.resolve({ kind: 'off' });
  const bwrapPath = resolved.bwrapPath ?? findBwrap();
  const key = `${bwrapPath}\0${resolved.network}`;
  let probe = probes.get(key);
  if (!probe) {
    probe = probeBwrap(bwrapPath, resolved.network);
    probes.set(key, probe);
  }
  return probe;
}

function findBwrap(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, 'bwrap');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return '/usr/bin/bwrap';
}

async function probeBwrap(bwrapPath: string, network: boolean): Promise<ExecSandbox> {
  if (process.platform !== 'linux')
    return { kind: 'unavailable', reason: `bubblewrap needs Linux, this is ${process.platform}` };
  try {
    accessSync(bwrapPath, constants.X_OK);
  } catch {
    return { kind: 'unavailable', reason: `bubblewrap is not installed (no executable ${bwrapPath})` };
  }
  const version = await run(bwrapPath, ['--version']);
  if (version.code !== 0)
    return { kind: 'unavailable', reason: `${bwrapPath} --version failed: ${version.text || version.code}` };
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'cody-sandbox-probe-')));
  try {
    let host: ReturnType<typeof describeSandboxHost>;
    try {
      host = describeSandboxHost();
    } catch (error) {
      return { kind: 'unavailable', reason: `cannot describe the host: ${(error as Error).message}` };
    }
    const invocation = bwrapArgs({ host, workspaceRoot: dir, cwd: dir, network });
    const probe = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawnInSandbox(bwrapPath, invocation, ['/bin/sh', '-c', 'echo ok'], {
        env: { PATH: '/usr/bin:/bin' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', (error) => resolve({ code: null, text: error.message }));
      child.on('close', (code) => resolve({ code, text: text.trim() }));
    });
    if (probe.code !== 0 || probe.text !== 'ok') {
      return {
        kind: 'unavailable',
        reason: `bubblewrap could not start a sandbox: ${probe.text || `exit code ${probe.code}`}`,
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { kind: 'bwrap', bwrapPath, version: version.text.replace(/^bubblewrap\s*/, ''), network };
}

function run(file: string, args: string[]): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: {} });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', (error) => resolve({ code: null, text: error.message }));
    child.on('close', (code) => resolve({ code, text: text.trim() }));
  });
}
