/** What an MCP tool call gives the tool worker; `error` is set when `success` is false. */
export interface McpToolResult {
  success: boolean;
  /** The text the model reads. */
  output: string;
  /** MCP_SERVER_UNAVAILABLE, MCP_TOOL_ERROR, TOOL_TIMEOUT, TOOL_CANCELLED, INVALID_TOOL_ARGUMENTS, UNKNOWN_TOOL. */
  error?: { code: string; message: string };
}

/** A failed call whose output is its message, as built-in tools fail. */
export function mcpFailure(code: string, message: string): McpToolResult {
  return { success: false, output: message, error: { code, message } };
}
