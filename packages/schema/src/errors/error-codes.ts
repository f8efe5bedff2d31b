/** Stable error codes: clients branch on these, so they never change meaning. */
export const ERROR_CODES = {
  /** An event arrived out of order (a delta before its item_start, say). */
  STREAM_SEQUENCE_ERROR: 'STREAM_SEQUENCE_ERROR',
  /** An event failed the StreamEvent schema. */
  INVALID_EVENT: 'INVALID_EVENT',
  /** A request body or parameter failed validation. */
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  /** The process driving a run stopped renewing its lease. */
  RUN_OWNER_LOST: 'RUN_OWNER_LOST',
  /** Redis stayed unreachable longer than a run's driver could buffer its events. */
  REDIS_UNAVAILABLE: 'REDIS_UNAVAILABLE',
  RUN_NOT_FOUND: 'RUN_NOT_FOUND',
  THREAD_NOT_FOUND: 'THREAD_NOT_FOUND',
  UNKNOWN_PROVIDER: 'UNKNOWN_PROVIDER',
  UNKNOWN_MODEL: 'UNKNOWN_MODEL',
  /** Something the deployment must set (a provider key, say) is missing or wrong. */
  CONFIGURATION_ERROR: 'CONFIGURATION_ERROR',
  PROVIDER_AUTH_ERROR: 'PROVIDER_AUTH_ERROR',
  PROVIDER_RATE_LIMITED: 'PROVIDER_RATE_LIMITED',
  PROVIDER_OVERLOADED: 'PROVIDER_OVERLOADED',
  PROVIDER_ERROR: 'PROVIDER_ERROR',
  PROVIDER_CONNECTION_LOST: 'PROVIDER_CONNECTION_LOST',
  STEP_LIMIT_REACHED: 'STEP_LIMIT_REACHED',
  TOOL_ERROR: 'TOOL_ERROR',
  TOOL_TIMEOUT: 'TOOL_TIMEOUT',
  /** The worker running a tool call with side effects stopped; the call was not retried (at most once). */
  TOOL_INTERRUPTED: 'TOOL_INTERRUPTED',
  SCRIPT_ERROR: 'SCRIPT_ERROR',
  STORE_ERROR: 'STORE_ERROR',
  ABORTED: 'ABORTED',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];
