import type { ToolLimits } from './tool-limits';
import type { ToolResult } from './tool-result';

/** Where and how a tool call runs. */
export interface ToolContext {
  /** Root every path must stay inside (CODY_WORKSPACE). */
  workspaceRoot: string;
  /** Aborts the call: a running command's process group is killed. */
  signal?: AbortSignal;
  limits?: Partial<ToolLimits>;
  /** Environment of exec'd commands; default: this process's environment without secrets. */
  env?: NodeJS.ProcessEnv;
}

/** What a tool implementation receives once executeTool has resolved the context. */
export interface ToolExecutionContext {
  workspaceRoot: string;
  signal: AbortSignal;
  limits: ToolLimits;
  env: NodeJS.ProcessEnv;
  /** Calls another tool with raw JSON arguments (scripts use it). */
  callTool: (name: string, rawArgs: string, context: ToolContext) => Promise<ToolResult>;
  /** Tools a script may call through its `tools` bridge. */
  scriptTools: readonly string[];
}
