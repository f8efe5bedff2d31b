import { CodyError } from '@cody/schema';
import { commandEnv } from './command-env';
import type { ToolDefinition } from './define-tool';
import { ToolCancelledError } from './errors/tool-cancelled-error';
import { TOOL_ERROR_CODES } from './errors/tool-error-codes';
import { ToolTimeoutError } from './errors/tool-timeout-error';
import { truncateOutput } from './output/truncate-output';
import { parseToolArguments } from './parse-tool-arguments';
import type { ToolContext, ToolExecutionContext } from './tool-context';
import { resolveToolLimits } from './tool-limits';
import { SCRIPT_TOOL_NAMES } from './tool-registry';
import type { ToolResult } from './tool-result';

// a tool that handles its own timeout gets this long past it before executeTool answers for it
const backstopMs = 5_000;

/**
 * Validates `rawArgs` (JSON text) with the tool's input schema, runs the tool in the workspace
 * and returns `{success, output}`. Never throws for a tool failure: a missing file, a bad
 * argument, a timeout or a cancellation is `success: false` with the real error text.
 */
export async function executeTool(name: string, rawArgs: string, context: ToolContext): Promise<ToolResult> {
  const limits = resolveToolLimits(context.limits);
  const parsed = parseToolArguments(name, rawArgs);
  if (!parsed.ok) return failure(parsed.error, limits.maxOutputBytes);
  if (context.signal?.aborted) return failure(new ToolCancelledError(name), limits.maxOutputBytes);

  const { tool, input } = parsed;
  const controller = new AbortController();
  const onAbort = () => controller.abort(new ToolCancelledError(name, reasonText(context.signal?.reason)));
  context.signal?.addEventListener('abort', onAbort, { once: true });
  const own = tool.ownTimeoutMs?.(input, limits);
  const timer = setTimeout(
    () => controller.abort(new ToolTimeoutError(name, own ?? limits.toolTimeoutMs)),
    own === undefined ? limits.toolTimeoutMs : own + backstopMs,
  );
  const execution: ToolExecutionContext = {
    workspaceRoot: context.workspaceRoot,
    signal: controller.signal,
    limits,
    env: context.env ?? commandEnv(),
    ...(context.sandbox ? { sandbox: context.sandbox } : {}),
    callTool: executeTool,
    scriptTools: SCRIPT_TOOL_NAMES,
  };
  let backstop: NodeJS.Timeout | undefined;
  try {
    const running = run(tool, input, execution);
    const stopped = new Promise<ToolResult>((resolve) => {
      const answer = () => resolve(failure(controller.signal.reason, limits.maxOutputBytes));
      if (controller.signal.aborted) answer();
      // tools with their own timeout answer a cancel themselves (exec reports partial output)
      else
        controller.signal.addEventListener(
          'abort',
          () => {
            backstop = setTimeout(answer, own === undefined ? 0 : backstopMs);
          },
          { once: true },
        );
    });
    const result = await Promise.race([running, stopped]);
    return { ...result, output: truncateOutput(result.output, limits.maxOutputBytes) };
  } finally {
    clearTimeout(timer);
    clearTimeout(backstop);
    context.signal?.removeEventListener('abort', onAbort);
  }
}

async function run(tool: ToolDefinition, input: unknown, context: ToolExecutionContext): Promise<ToolResult> {
  try {
    const result = await tool.execute(input, context);
    return typeof result === 'string' ? { success: true, output: result } : result;
  } catch (error) {
    // a tool stopped by the abort reports why it was stopped, not the AbortError it saw
    return failure(context.signal.aborted ? context.signal.reason : error, Number.POSITIVE_INFINITY);
  }
}

function failure(error: unknown, maxBytes: number): ToolResult {
  const info = describeError(error);
  return { success: false, output: truncateOutput(info.message, maxBytes), error: info };
}

function describeError(error: unknown): { code: string; message: string } {
  if (CodyError.isInstance(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { code: typeof code === 'string' ? code : TOOL_ERROR_CODES.TOOL_ERROR, message: error.message };
  }
  return { code: TOOL_ERROR_CODES.TOOL_ERROR, message: String(error) };
}

function reasonText(reason: unknown): string | undefined {
  if (reason === undefined) return undefined;
  if (reason instanceof Error) return reason.name === 'AbortError' ? undefined : reason.message;
  return String(reason);
}
