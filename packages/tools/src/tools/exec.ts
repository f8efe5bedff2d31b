import { type ChildProcess, spawn } from 'node:child_process';
import { promises as fs, realpathSync } from 'node:fs';
import { z } from 'zod';
import { defineTool } from '../define-tool';
import { ToolError } from '../errors/tool-error';
import { TOOL_ERROR_CODES } from '../errors/tool-error-codes';
import { HeadTailBuffer } from '../output/head-tail-buffer';
import { bwrapArgs } from '../sandbox/bwrap-args';
import type { ExecSandbox } from '../sandbox/exec-sandbox';
import { prepareExecSandbox } from '../sandbox/prepare-exec-sandbox';
import { describeSandboxHost, type SandboxHost } from '../sandbox/sandbox-host';
import { sandboxUnavailableMessage } from '../sandbox/sandbox-unavailable-message';
import { spawnInSandbox } from '../sandbox/spawn-in-sandbox';
import type { ToolResult } from '../tool-result';
import { resolveWorkspacePath } from '../workspace/resolve-workspace-path';

export const ExecInputSchema = z
  .strictObject({
    command: z
      .array(z.string())
      .min(1)
      .optional()
      .describe('Program and arguments, run without a shell, e.g. ["ls", "-la", "src"].'),
    shell: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A command line run by /bin/sh -c, for pipes and redirects, e.g. "grep -c x a.txt | head". Give either command or shell.',
      ),
    cwd: z
      .string()
      .min(1)
      .optional()
      .describe('Working directory, relative to the workspace root. Default ".".'),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Kill the command after this many milliseconds (default and maximum are set by the server).'),
  })
  .superRefine((input, ctx) => {
    if ((input.command === undefined) === (input.shell === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: input.command === undefined ? ['command'] : ['shell'],
        message: 'give exactly one of command (an argv array) or shell (a command line)',
      });
    }
  });
export type ExecInput = z.infer<typeof ExecInputSchema>;

// after the main process exits, how long its stdio may stay open (a background child holding it)
const closeGraceMs = 500;

export const execTool = defineTool({
  name: 'exec',
  description:
    'Run a command in the workspace (argv form "command", or "shell" for a /bin/sh command line) inside a sandbox: the workspace is read-write, the system\'s programs read-only, /tmp private, no network unless the server allows it. Returns stdout, then stderr, then the exit code. No stdin; long output is cut in the middle; on timeout everything the command started is killed, and so is whatever it leaves running in the background when it ends.',
  inputSchema: ExecInputSchema,
  ownTimeoutMs: (input, limits) => Math.min(input.timeoutMs ?? limits.execTimeoutMs, limits.maxExecTimeoutMs),
  async execute(input, context) {
    const sandbox = context.sandbox ?? (await prepareExecSandbox());
    if (sandbox.kind === 'unavailable') {
      throw new ToolError(TOOL_ERROR_CODES.SANDBOX_UNAVAILABLE, sandboxUnavailableMessage(sandbox.reason));
    }
    const cwd = await resolveWorkspacePath(context.workspaceRoot, input.cwd ?? '.');
    const stat = await fs.stat(cwd.absolute);
    if (!stat.isDirectory())
      throw new ToolError('ENOTDIR', `ENOTDIR: cwd ${cwd.relative} is not a directory`);
    const timeoutMs = Math.min(
      input.timeoutMs ?? context.limits.execTimeoutMs,
      context.limits.maxExecTimeoutMs,
    );
    const [file, ...args] =
      input.shell !== undefined ? ['/bin/sh', '-c', input.shell] : (input.command as string[]);
    context.signal.throwIfAborted();
    const half = Math.floor(context.limits.maxOutputBytes / 2);
    const stdout = new HeadTailBuffer(half, half);
    const stderr = new HeadTailBuffer(Math.floor(half / 2), Math.floor(half / 2));
    const root = realpathSync(context.workspaceRoot);
    const env = { ...context.env, HOME: root };
    return new Promise<ToolResult>((resolve) => {
      // detached: the command (or bwrap) leads a new process group, so a kill reaches it all;
      // in the sandbox, killing bwrap kills its PID namespace and so every process in it
      const child =
        sandbox.kind === 'bwrap'
          ? spawnInSandbox(
              sandbox.bwrapPath,
              bwrapArgs({
                host: sandboxHost(),
                workspaceRoot: root,
                cwd: cwd.absolute,
                network: sandbox.network,
              }),
              [file as string, ...args],
              { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
            )
          : spawn(file as string, args, {
              cwd: cwd.absolute,
              env,
              stdio: ['ignore', 'pipe', 'pipe'],
              detached: true,
            });
      let ended: 'timeout' | 'cancelled' | undefined;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let spawnError: Error | undefined;
      let graceTimer: NodeJS.Timeout | undefined;
      let done = false;

      const kill = () => killGroup(child);
      const onAbort = () => {
        ended ??= 'cancelled';
        kill();
      };
      const timer = setTimeout(() => {
        ended ??= 'timeout';
        kill();
      }, timeoutMs);
      context.signal.addEventListener('abort', onAbort, { once: true });

      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearTimeout(graceTimer);
        context.signal.removeEventListener('abort', onAbort);
        kill(); // nothing the command started outlives the call
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve(
          describe({ stdout, stderr, exit, ended, timeoutMs, spawnError, file: file as string, sandbox }),
        );
      };

      child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', (error) => {
        spawnError = error;
        finish();
      });
      child.on('exit', (code, signal) => {
        exit = { code, signal };
        graceTimer = setTimeout(finish, closeGraceMs);
      });
      child.on('close', finish);
    });
  },
});

let host: SandboxHost | undefined;
function sandboxHost(): SandboxHost {
  host ??= describeSandboxHost();
  return host;
}

// bwrap reports a command it could not start on stderr, with exit code 1
const bwrapExecFailure = /^bwrap: execvp (.+): (No such file or directory|Permission denied)\n?$/;

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone
  }
}

function describe(run: {
  stdout: HeadTailBuffer;
  stderr: HeadTailBuffer;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  ended: 'timeout' | 'cancelled' | undefined;
  timeoutMs: number;
  spawnError: Error | undefined;
  file: string;
  sandbox: ExecSandbox;
}): ToolResult {
  if (run.spawnError) {
    const code = (run.spawnError as NodeJS.ErrnoException).code ?? TOOL_ERROR_CODES.TOOL_ERROR;
    const message = `${run.spawnError.message}${code === 'ENOENT' ? ` (no such command: ${run.file})` : ''}`;
    return { success: false, output: message, error: { code, message } };
  }
  let text = run.stdout.text();
  const stderr = run.stderr.text();
  const notStarted =
    run.sandbox.kind === 'bwrap' && run.exit?.code === 1 && !text && bwrapExecFailure.exec(stderr);
  if (notStarted) {
    const code = notStarted[2] === 'Permission denied' ? 'EACCES' : 'ENOENT';
    const message = `${code === 'ENOENT' ? 'no such command' : 'cannot run'}: ${run.file} (${stderr.trim()})`;
    return { success: false, output: message, error: { code, message } };
  }
  if (text && !text.endsWith('\n')) text += '\n';
  if (stderr) text += `[stderr]\n${stderr}${stderr.endsWith('\n') ? '' : '\n'}`;
  let status: string;
  let error: { code: string; message: string } | undefined;
  if (run.ended === 'timeout') {
    status = `timed out after ${run.timeoutMs} ms: the process group was killed`;
    error = { code: TOOL_ERROR_CODES.TOOL_TIMEOUT, message: `Command ${status}` };
  } else if (run.ended === 'cancelled') {
    status = 'cancelled: the process group was killed';
    error = { code: TOOL_ERROR_CODES.TOOL_CANCELLED, message: `Command ${status}` };
  } else if (run.exit?.signal) {
    status = `killed by signal ${run.exit.signal}`;
    error = { code: TOOL_ERROR_CODES.COMMAND_FAILED, message: `Command ${status}` };
  } else {
    const code = run.exit?.code ?? -1;
    status = `exit code ${code}`;
    if (code !== 0)
      error = { code: TOOL_ERROR_CODES.COMMAND_FAILED, message: `Command exited with code ${code}` };
  }
  const output = `${text}[${status}]`;
  return error ? { success: false, output, error } : { success: true, output };
}
