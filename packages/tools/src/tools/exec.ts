import { type ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { defineTool } from '../define-tool';
import { ToolError } from '../errors/tool-error';
import { TOOL_ERROR_CODES } from '../errors/tool-error-codes';
import { HeadTailBuffer } from '../output/head-tail-buffer';
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
    'Run a command in the workspace (argv form "command", or "shell" for a /bin/sh command line). Returns stdout, then stderr, then the exit code (or the signal). No stdin; long output is cut in the middle; on timeout the whole process group is killed. Processes left running in the background are killed when the command ends.',
  inputSchema: ExecInputSchema,
  ownTimeoutMs: (input, limits) => Math.min(input.timeoutMs ?? limits.execTimeoutMs, limits.maxExecTimeoutMs),
  async execute(input, context) {
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
    return new Promise<ToolResult>((resolve) => {
      // detached: the command leads a new process group, so a kill reaches its children too
      const child = spawn(file as string, args, {
        cwd: cwd.absolute,
        env: context.env,
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
        resolve(describe({ stdout, stderr, exit, ended, timeoutMs, spawnError, file: file as string }));
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
}): ToolResult {
  if (run.spawnError) {
    // worded from the error's fields, which Node and Bun both set alike (their messages differ:
    // `spawn x ENOENT` / `Executable not found in $PATH: "x"`)
    const { code = TOOL_ERROR_CODES.TOOL_ERROR, syscall } = run.spawnError as NodeJS.ErrnoException;
    const text = syscall ? `${syscall} ${code}` : run.spawnError.message;
    const message = `${text}${code === 'ENOENT' ? ` (no such command: ${run.file})` : ''}`;
    return { success: false, output: message, error: { code, message } };
  }
  let text = run.stdout.text();
  const stderr = run.stderr.text();
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
