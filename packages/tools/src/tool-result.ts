import type { ScriptResult } from './script/script-result';

/** What a tool call returns. A failing tool is `success: false` with the real error text. */
export interface ToolResult {
  success: boolean;
  /** The text the model reads: the tool's output, or the error. */
  output: string;
  /** Set when `success` is false: a stable code (see TOOL_ERROR_CODES, or a Node code like ENOENT). */
  error?: { code: string; message: string };
  /** runScript only: the structured result behind `output`. */
  script?: ScriptResult;
}
