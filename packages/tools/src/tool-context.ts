import type { ExecSandbox } from './sandbox/exec-sandbox';
import type { ToolLimits } from './tool-limits';
import type { ToolResult } from './tool-result';

/** Where and how a tool call runs. */
export interface ToolContext {
  /** Root every path must stay inside (CODY_WORKSPACE). */
  workspaceRoot: string;
  /** Aborts the call: a running command's process group is killed. */
  signal?: AbortSignal;
  limits?: Partial<ToolLimits>;
  /**
   * Environment of exec'd commands (exec sets HOME to the workspace); default `commandEnv()`:
   * PATH, LANG and TERM of this process, nothing else.
   */
  env?: NodeJS.ProcessEnv;
  /** Where exec runs commands (see prepareExecSandbox); default: bubblewrap, probed on first use. */
  sandbox?: ExecSandbox;
}

/** What a tool implementation receives once executeTool has resolved the context. */
export interface ToolExecutionContext {
  workspaceRoot: string;
  signal: AbortSignal;
  limits: ToolLimits;
  env: NodeJS.ProcessEnv;
  sandbox?: ExecSandbox;
  /** Calls another tool with raw JSON arguments (scripts use it). */
  callTool: (name: string, rawArgs: string, context: ToolContext) => Promise<ToolResult>;
  /** Tools a script may call through its `tools` bridge. */
  scriptTools: readonly string[];
}
