import { type ChildProcess, spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { bwrapArgs, type ExecSandbox, type SandboxHost, spawnInSandbox } from '@cody/tools';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { serverProgramPaths } from './server-program-paths';

export interface SandboxedStdioTransportOptions {
  command: string;
  args: readonly string[];
  /** The server's whole environment (nothing of the worker's is added). */
  env: Record<string, string>;
  /** Real path of the workspace: the server's working directory, read-write in the sandbox. */
  workspaceRoot: string;
  /** exec's sandbox: bubblewrap, or `off` (a person set CODY_EXEC_SANDBOX=off) for unconfined. */
  sandbox: Extract<ExecSandbox, { kind: 'bwrap' | 'off' }>;
  /** The system directories a sandbox shows (describeSandboxHost). */
  host: SandboxHost;
  /** Largest message line accepted from the server; the SDK's default (10 MiB) when unset. */
  maxBufferSize?: number;
}

// how long close() waits after ending stdin, then after SIGTERM, before the next step (the SDK's)
const CLOSE_STEP_MS = 2000;

/**
 * An MCP client transport to a server it starts, like the SDK's StdioClientTransport —
 * newline-delimited JSON-RPC on stdin/stdout with the SDK's own framing, stderr piped for the
 * caller — but started through exec's bubblewrap sandbox (see serverProgramPaths for what the
 * server sees) and as the leader of its own process group, which close() kills: end stdin, then
 * SIGTERM, then SIGKILL, each after up to 2 s. Killing bubblewrap kills its PID namespace, so
 * nothing the server started outlives it.
 */
export class SandboxedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly options: SandboxedStdioTransportOptions;
  private readonly readBuffer: ReadBuffer;
  private readonly stderrStream = new PassThrough();
  private process: ChildProcess | undefined;
  private started = false;

  constructor(options: SandboxedStdioTransportOptions) {
    this.options = options;
    this.readBuffer = new ReadBuffer(
      options.maxBufferSize !== undefined ? { maxBufferSize: options.maxBufferSize } : undefined,
    );
  }

  /** The server's stderr (bubblewrap's own complaints included), available before start(). */
  get stderr(): PassThrough {
    return this.stderrStream;
  }

  /** The pid of what was spawned (bubblewrap when sandboxed), once started. */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('SandboxedStdioTransport already started');
    this.started = true;
    const { args, env, workspaceRoot, sandbox, host } = this.options;
    // resolved here, on the server's PATH: a missing command fails like spawn's ENOENT
    const program = serverProgramPaths({
      command: this.options.command,
      args,
      cwd: workspaceRoot,
      pathVariable: env.PATH,
      workspaceRoot,
      host,
    });
    const child =
      sandbox.kind === 'bwrap'
        ? spawnInSandbox(
            sandbox.bwrapPath,
            bwrapArgs({
              host,
              workspaceRoot,
              cwd: workspaceRoot,
              network: sandbox.network,
              readOnly: program.readOnly,
            }),
            [program.file, ...args],
            { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true },
          )
        : spawn(program.file, [...args], {
            cwd: workspaceRoot,
            env,
            stdio: ['pipe', 'pipe', 'pipe'],
            detached: true,
          });
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      child.on('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.on('spawn', () => resolve());
      child.on('close', () => {
        // whatever it left in its group goes with it
        killGroup(child, 'SIGKILL');
        if (this.process === child) this.process = undefined;
        this.onclose?.();
      });
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('data', (chunk: Buffer) => {
        try {
          this.readBuffer.append(chunk);
          this.processReadBuffer();
        } catch (error) {
          // a line longer than the buffer: the stream cannot be trusted any more
          this.onerror?.(error as Error);
          this.close().catch(() => {});
        }
      });
      child.stdout?.on('error', (error) => this.onerror?.(error));
      child.stderr?.pipe(this.stderrStream);
    });
  }

  private processReadBuffer(): void {
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.readBuffer.readMessage();
      } catch (error) {
        // one bad line (not JSON-RPC): reported, the next lines still read
        this.onerror?.(error as Error);
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }

  async close(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child) {
      const closed = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('close', () => resolve());
      });
      const step = () =>
        Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, CLOSE_STEP_MS).unref())]);
      try {
        child.stdin?.end();
      } catch {
        // already closed
      }
      await step();
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child, 'SIGTERM');
        await step();
      }
      killGroup(child, 'SIGKILL');
    }
    this.readBuffer.clear();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.process?.stdin;
      if (!stdin) {
        reject(new Error('Not connected'));
        return;
      }
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already
  }
}
