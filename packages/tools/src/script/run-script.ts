import { Worker } from 'node:worker_threads';
import { TOOL_ERROR_CODES } from '../errors/tool-error-codes';
import { sandboxWorkerUrl } from '../sandbox-worker-url';
import type { ToolExecutionContext } from '../tool-context';
import type { ToolResult } from '../tool-result';
import { returnLastExpression } from './return-last-expression';
import { sandboxPrelude } from './sandbox-prelude';
import type { ScriptResult } from './script-result';
import { stripTypes } from './strip-types';

export interface RunScriptInput {
  code: string;
  language?: 'javascript' | 'typescript';
}

// values of the shared stop flag the sandbox's interrupt handler reads
const STOP_TIMEOUT = 1;
const STOP_CANCELLED = 2;
// how long a stopped sandbox may take to report before its thread is terminated
const terminateAfterMs = 1_000;

/**
 * Runs a script in QuickJS on a worker thread of its own (a CPU-bound script cannot block this
 * process's event loop; a stuck one is terminated), with a time limit covering awaited tool
 * calls too, a memory limit (QuickJS's plus a capped wasm memory) and a stack limit. The
 * script calls tools as `await tools.<name>(args)`: the calls run here, through
 * `context.callTool`, confined like any other call. Its value, or what it resolves to, comes
 * back as JSON text. Never throws: every failure is a `success: false` result.
 */
export async function runScript(input: RunScriptInput, context: ToolExecutionContext): Promise<ScriptResult> {
  const { limits } = context;
  let code = input.code;
  if (input.language === 'typescript') {
    try {
      code = stripTypes(code);
    } catch (error) {
      return failed(
        TOOL_ERROR_CODES.SCRIPT_ERROR,
        `SyntaxError: TypeScript could not be parsed: ${(error as Error).message}`,
      );
    }
  }
  if (context.signal.aborted) return failed(TOOL_ERROR_CODES.TOOL_CANCELLED, 'script was cancelled');

  const stopBuffer = new SharedArrayBuffer(4);
  const stopFlag = new Int32Array(stopBuffer);
  const calls = new AbortController(); // stops the script's tool calls when it ends
  const worker = new Worker(sandboxWorkerUrl, {
    workerData: {
      code,
      asyncBody: `(async () => {${returnLastExpression(code)}\n})()`,
      prelude: sandboxPrelude(context.scriptTools),
      limits,
      stop: stopBuffer,
    },
    execArgv: [],
    stdout: true,
    stderr: true,
  });

  return new Promise<ScriptResult>((resolve) => {
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (result: ScriptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      context.signal.removeEventListener('abort', onAbort);
      calls.abort();
      void worker.terminate();
      resolve(result);
    };
    const halt = (flag: number) => {
      if (Atomics.compareExchange(stopFlag, 0, 0, flag) !== 0) return;
      worker.postMessage({ type: 'stop' });
      // a sandbox that does not answer the interrupt in time loses its thread
      killTimer = setTimeout(
        () =>
          finish(
            flag === STOP_TIMEOUT
              ? failed(
                  TOOL_ERROR_CODES.SCRIPT_TIMEOUT,
                  `script exceeded its time limit of ${limits.scriptTimeoutMs} ms`,
                )
              : failed(TOOL_ERROR_CODES.TOOL_CANCELLED, 'script was cancelled'),
          ),
        terminateAfterMs,
      );
    };
    const onAbort = () => halt(STOP_CANCELLED);
    const timer = setTimeout(() => halt(STOP_TIMEOUT), limits.scriptTimeoutMs);
    context.signal.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'done') {
        finish(message.result);
        return;
      }
      const result: Promise<ToolResult> = context.scriptTools.includes(message.name)
        ? context.callTool(message.name, message.args, {
            workspaceRoot: context.workspaceRoot,
            signal: calls.signal,
            limits,
            env: context.env,
            ...(context.sandbox ? { sandbox: context.sandbox } : {}),
          })
        : Promise.resolve({ success: false, output: `tool ${message.name} cannot be called from a script` });
      void result
        .then(
          (r) => JSON.stringify({ success: r.success, output: r.output, code: r.error?.code }),
          (error: unknown) =>
            JSON.stringify({ success: false, output: String(error), code: TOOL_ERROR_CODES.TOOL_ERROR }),
        )
        .then((text) => {
          if (!settled) worker.postMessage({ type: 'answer', id: message.id, text });
        });
    });
    worker.on('error', (error) =>
      finish(failed(TOOL_ERROR_CODES.SCRIPT_ERROR, `the script sandbox failed: ${error.message}`)),
    );
    worker.on('exit', (exitCode) =>
      finish(
        failed(
          TOOL_ERROR_CODES.SCRIPT_ERROR,
          `the script sandbox exited before answering (exit code ${exitCode})`,
        ),
      ),
    );
  });
}

type WorkerMessage =
  | { type: 'done'; result: ScriptResult }
  | { type: 'call'; id: number; name: string; args: string };

function failed(code: string, message: string): ScriptResult {
  return { success: false, result: 'null', logs: [], error: { code, message } };
}
