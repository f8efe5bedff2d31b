/**
 * What a tool worker does with a call an earlier attempt had started executing (its worker
 * crashed or stopped before answering): `rerun` for tools without side effects, `interrupt`
 * (answer success:false TOOL_INTERRUPTED, let the model decide) for everything else, because
 * running a command or a write twice is worse than not finishing it. Unknown tools count as
 * having side effects unless listed here; an MCP tool reruns only when its server marks it
 * `readOnlyHint` (`readOnly`).
 */
export type ReclaimAction = 'rerun' | 'interrupt';

/** Tools that only read the workspace: running them again changes nothing. */
export const READ_ONLY_TOOLS: ReadonlySet<string> = new Set(['readFile', 'listDir', 'grep']);

export function reclaimPolicy(toolName: string, mcpTool?: { readOnly: boolean }): ReclaimAction {
  return READ_ONLY_TOOLS.has(toolName) || mcpTool?.readOnly === true ? 'rerun' : 'interrupt';
}

/** The output a model sees for an interrupted call. */
export const INTERRUPTED_MESSAGE = 'the worker running this call stopped; it was not retried';
