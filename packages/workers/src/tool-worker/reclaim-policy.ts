/**
 * What a tool worker does with a call an earlier attempt had started executing (its worker
 * crashed or stopped before answering): `rerun` for tools without side effects, `interrupt`
 * (answer success:false TOOL_INTERRUPTED, let the model decide) for everything else, because
 * running a command or a write twice is worse than not finishing it. Unknown tools (MCP tools,
 * tools added later) count as having side effects unless listed here.
 */
export type ReclaimAction = 'rerun' | 'interrupt';

/** Tools that only read the workspace: running them again changes nothing. */
export const READ_ONLY_TOOLS: ReadonlySet<string> = new Set(['readFile', 'listDir', 'grep']);

export function reclaimPolicy(toolName: string): ReclaimAction {
  return READ_ONLY_TOOLS.has(toolName) ? 'rerun' : 'interrupt';
}

/** The output a model sees for an interrupted call. */
export const INTERRUPTED_MESSAGE = 'the worker running this call stopped; it was not retried';
