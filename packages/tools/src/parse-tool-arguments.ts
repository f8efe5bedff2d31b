import { type CodyError, ValidationError } from '@cody/schema';
import type { ToolDefinition } from './define-tool';
import { ToolError } from './errors/tool-error';
import { TOOL_ERROR_CODES } from './errors/tool-error-codes';
import { UnknownToolError } from './errors/unknown-tool-error';
import { getTool, TOOL_NAMES } from './tool-registry';

export type ParsedToolCall =
  | { ok: true; tool: ToolDefinition; input: unknown }
  | { ok: false; error: CodyError };

/**
 * Parses a call's arguments (JSON text as the model produced it) with the tool's own input
 * schema. Failures name the tool and the field: `Invalid arguments for readFile: path: Required`.
 */
export function parseToolArguments(name: string, rawArgs: string): ParsedToolCall {
  const tool = getTool(name);
  if (!tool) return { ok: false, error: new UnknownToolError(name, TOOL_NAMES) };
  let json: unknown;
  try {
    // models send "" for a call without arguments
    json = rawArgs.trim() === '' ? {} : JSON.parse(rawArgs);
  } catch (error) {
    return {
      ok: false,
      error: new ToolError(
        TOOL_ERROR_CODES.INVALID_TOOL_ARGUMENTS,
        `Invalid arguments for ${name}: not valid JSON (${(error as Error).message})`,
      ),
    };
  }
  const result = tool.inputSchema.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      error: new ValidationError(result.error, {
        code: TOOL_ERROR_CODES.INVALID_TOOL_ARGUMENTS,
        what: `Invalid arguments for ${name}`,
      }),
    };
  }
  return { ok: true, tool, input: result.data };
}
