/** Timeouts and caps every tool call runs under; configuration sets them (see loadToolConfig). */
export interface ToolLimits {
  /** Wall-clock limit of one tool call (exec and runScript have their own). */
  toolTimeoutMs: number;
  /** exec's timeout when the call names none. */
  execTimeoutMs: number;
  /** The most an exec call may ask for with `timeoutMs`. */
  maxExecTimeoutMs: number;
  /** Cap on the text a tool returns (bytes of UTF-8); longer output is cut with a note. */
  maxOutputBytes: number;
  /** readFile returns at most this many bytes per call. */
  maxReadBytes: number;
  /** listDir returns at most this many entries. */
  maxListEntries: number;
  /** grep returns at most this many matching lines. */
  maxGrepResults: number;
  /** grep skips files bigger than this. */
  maxGrepFileBytes: number;
  /** Wall-clock limit of a script, tool calls it makes included. */
  scriptTimeoutMs: number;
  /** QuickJS heap limit of a script. */
  scriptMemoryBytes: number;
  /** QuickJS stack limit of a script (deep recursion ends in a RangeError, not a crash). */
  scriptStackBytes: number;
}

export const DEFAULT_TOOL_LIMITS: Readonly<ToolLimits> = Object.freeze({
  toolTimeoutMs: 30_000,
  execTimeoutMs: 60_000,
  maxExecTimeoutMs: 600_000,
  maxOutputBytes: 100_000,
  maxReadBytes: 100_000,
  maxListEntries: 1_000,
  maxGrepResults: 200,
  maxGrepFileBytes: 4 * 1024 * 1024,
  scriptTimeoutMs: 30_000,
  scriptMemoryBytes: 64 * 1024 * 1024,
  // QuickJS in wasm recurses on its thread's native stack: keep its limit well below that stack
  scriptStackBytes: 256 * 1024,
});

export function resolveToolLimits(limits: Partial<ToolLimits> = {}): ToolLimits {
  return { ...DEFAULT_TOOL_LIMITS, ...limits };
}
