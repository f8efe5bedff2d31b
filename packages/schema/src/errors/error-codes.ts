/** Stable error codes: clients branch on these, so they never change meaning. */
export const ERROR_CODES = {
  /** An event arrived out of order (a delta before its item_start, say). */
  STREAM_SEQUENCE_ERROR: 'STREAM_SEQUENCE_ERROR',
  /** An event failed the StreamEvent schema. */
  INVALID_EVENT: 'INVALID_EVENT',
  /** A request body or parameter failed validation. */
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  // HTTP: what the server answers for requests it refuses before (or instead of) a handler
  /** The body is not JSON (or empty where JSON was announced). 400. */
  INVALID_JSON: 'INVALID_JSON',
  /** A request the HTTP layer could not read (malformed, missing Host). 400. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** No or a wrong `Authorization: Bearer` token while `CODY_API_TOKEN` is set. 401. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** A state-changing or preflight request from an Origin that is not allowed. 403. */
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  /** A `Host` header naming a host this server does not serve (DNS rebinding). 403. */
  HOST_NOT_ALLOWED: 'HOST_NOT_ALLOWED',
  /** No route for this method and path. 404. */
  NOT_FOUND: 'NOT_FOUND',
  /** The path exists, the method does not. 405. */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** The body is larger than `CODY_BODY_LIMIT_BYTES`. 413. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The client did not send its request in time. 408. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** The request target is longer than the server reads. 414. */
  URI_TOO_LONG: 'URI_TOO_LONG',
  /** A content type the route does not parse. 415. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** This client sent more requests than its rate limit allows; `Retry-After` says when to retry. 429. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** This server process already serves as many SSE streams as it allows (in all, or for this run); `Retry-After` says when to retry. 503. */
  SSE_CAPACITY_REACHED: 'SSE_CAPACITY_REACHED',
  /** The request's headers are larger than the server reads. 431. */
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  /** The process driving a run stopped renewing its lease. */
  RUN_OWNER_LOST: 'RUN_OWNER_LOST',
  /** Redis stayed unreachable longer than a run's driver could buffer its events. */
  REDIS_UNAVAILABLE: 'REDIS_UNAVAILABLE',
  RUN_NOT_FOUND: 'RUN_NOT_FOUND',
  /** No call of this run waits (or waited) for approval under that call id. 404. */
  APPROVAL_NOT_FOUND: 'APPROVAL_NOT_FOUND',
  /** The call's approval was already decided (by a person, the timeout, or a cancel). 409. */
  APPROVAL_ALREADY_DECIDED: 'APPROVAL_ALREADY_DECIDED',
  THREAD_NOT_FOUND: 'THREAD_NOT_FOUND',
  /** `replacesRunId` names a run of another thread. */
  RUN_THREAD_MISMATCH: 'RUN_THREAD_MISMATCH',
  /** `replacesRunId` names a run that is still queued or streaming. */
  RUN_STILL_ACTIVE: 'RUN_STILL_ACTIVE',
  /** `replacesRunId` names a run another run already replaced. */
  RUN_ALREADY_REPLACED: 'RUN_ALREADY_REPLACED',
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
  /** The MCP server a tool comes from is down (restarting) or never came up. */
  MCP_SERVER_UNAVAILABLE: 'MCP_SERVER_UNAVAILABLE',
  /** An MCP server answered a tool call with an error (a JSON-RPC error or `isError: true`). */
  MCP_TOOL_ERROR: 'MCP_TOOL_ERROR',
  /** The worker running a tool call with side effects stopped; the call was not retried (at most once). */
  TOOL_INTERRUPTED: 'TOOL_INTERRUPTED',
  SCRIPT_ERROR: 'SCRIPT_ERROR',
  /** exec could not confine a command (bubblewrap missing or refused by the kernel): nothing ran. */
  SANDBOX_UNAVAILABLE: 'SANDBOX_UNAVAILABLE',
  STORE_ERROR: 'STORE_ERROR',
  ABORTED: 'ABORTED',
  /** A client (the `cody` CLI) could not reach the server or Redis. */
  SERVER_UNREACHABLE: 'SERVER_UNREACHABLE',
  /** A client was called wrongly (unknown command, missing argument). */
  USAGE_ERROR: 'USAGE_ERROR',
  /** A server answered something that is not Cody's API (no `{error:{code}}` body). */
  UNEXPECTED_RESPONSE: 'UNEXPECTED_RESPONSE',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];
