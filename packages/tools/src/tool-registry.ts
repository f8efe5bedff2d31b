import type { ToolDefinition } from './define-tool';
import { editFileTool } from './tools/edit-file';
import { execTool } from './tools/exec';
import { grepTool } from './tools/grep';
import { listDirTool } from './tools/list-dir';
import { readFileTool } from './tools/read-file';
import { runScriptTool } from './tools/run-script-tool';
import { writeFileTool } from './tools/write-file';

/** Every tool, in the order they are declared to the model. */
export const TOOLS: readonly ToolDefinition[] = [
  readFileTool,
  listDirTool,
  writeFileTool,
  editFileTool,
  execTool,
  grepTool,
  runScriptTool,
] as ToolDefinition[];

export const TOOL_NAMES: readonly string[] = TOOLS.map((tool) => tool.name);

/** Tools a script can call (all but runScript: scripts do not nest). */
export const SCRIPT_TOOL_NAMES: readonly string[] = TOOL_NAMES.filter((name) => name !== runScriptTool.name);

const byName = new Map(TOOLS.map((tool) => [tool.name, tool]));

export function getTool(name: string): ToolDefinition | undefined {
  return byName.get(name);
}
