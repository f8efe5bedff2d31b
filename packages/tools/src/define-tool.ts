import type { z } from 'zod';
import type { ToolExecutionContext } from './tool-context';
import type { ToolLimits } from './tool-limits';
import type { ToolResult } from './tool-result';

/** One tool: its single input schema is both what the model is told and what calls are checked with. */
export interface ToolDefinition<Schema extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  inputSchema: Schema;
  /**
   * For tools that enforce their own time limit and answer cancellation themselves (exec,
   * runScript): their limit for this input. executeTool then only keeps a backstop.
   */
  ownTimeoutMs?: (input: z.output<Schema>, limits: ToolLimits) => number;
  /** Resolves to the output (success) or a full result; throwing is a failure with the error's text. */
  execute(input: z.output<Schema>, context: ToolExecutionContext): Promise<string | ToolResult>;
}

export function defineTool<Schema extends z.ZodType>(
  definition: ToolDefinition<Schema>,
): ToolDefinition<Schema> {
  return definition;
}
