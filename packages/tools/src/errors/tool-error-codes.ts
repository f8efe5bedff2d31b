import { ERROR_CODES } from '@cody/schema';

/** Stable codes of tool failures; a `function_call_output` error and a script's `error.code` use them. */
export const TOOL_ERROR_CODES = {
  /** A path (or a symlink on it) resolves outside the workspace root. */
  PATH_OUTSIDE_WORKSPACE: 'PATH_OUTSIDE_WORKSPACE',
  UNKNOWN_TOOL: 'UNKNOWN_TOOL',
  /** The arguments were not JSON or failed the tool's schema. */
  INVALID_TOOL_ARGUMENTS: 'INVALID_TOOL_ARGUMENTS',
  TOOL_ERROR: 'TOOL_ERROR',
  TOOL_TIMEOUT: 'TOOL_TIMEOUT',
  /** The call was cancelled (the run was cancelled or the worker is stopping). */
  TOOL_CANCELLED: 'TOOL_CANCELLED',
  /** The worker running a call with side effects stopped before answering; it was not retried. */
  TOOL_INTERRUPTED: ERROR_CODES.TOOL_INTERRUPTED,
  /** An exec'd command exited non-zero or was killed by a signal. */
  COMMAND_FAILED: 'COMMAND_FAILED',
  /** editFile's `oldText` was not found, or found more than once. */
  EDIT_NO_MATCH: 'EDIT_NO_MATCH',
  EDIT_AMBIGUOUS: 'EDIT_AMBIGUOUS',
  /** editFile's unified diff did not apply to the current file. */
  PATCH_FAILED: 'PATCH_FAILED',
  INVALID_PATTERN: 'INVALID_PATTERN',
  SCRIPT_ERROR: 'SCRIPT_ERROR',
  SCRIPT_TIMEOUT: 'SCRIPT_TIMEOUT',
  SCRIPT_MEMORY_LIMIT: 'SCRIPT_MEMORY_LIMIT',
  /** The script's result could not be turned into JSON (a BigInt, a cycle). */
  SCRIPT_RESULT_NOT_JSON: 'SCRIPT_RESULT_NOT_JSON',
  /** The script's JSON result is bigger than the output cap. */
  SCRIPT_RESULT_TOO_LARGE: 'SCRIPT_RESULT_TOO_LARGE',
  CONFIGURATION_ERROR: 'CONFIGURATION_ERROR',
  /** exec could not confine the command (see @cody/schema's ERROR_CODES): nothing ran. */
  SANDBOX_UNAVAILABLE: ERROR_CODES.SANDBOX_UNAVAILABLE,
} as const;
export type ToolErrorCode = (typeof TOOL_ERROR_CODES)[keyof typeof TOOL_ERROR_CODES];
