/** A sentence a person understands for each stable error code; the code itself is shown beside it. */
const SENTENCES: Record<string, string> = {
  PROVIDER_CONNECTION_LOST: 'Cody lost the connection to the model provider.',
  PROVIDER_AUTH_ERROR: 'The model provider refused the API key.',
  PROVIDER_RATE_LIMITED: 'The model provider is limiting requests. Wait a moment, then retry.',
  PROVIDER_OVERLOADED: 'The model provider is overloaded. Retry in a moment.',
  PROVIDER_ERROR: 'The model provider reported an error.',
  RUN_OWNER_LOST: 'The server process running this turn stopped before it finished.',
  STEP_LIMIT_REACHED: 'The run used all its steps (CODY_MAX_STEPS) before it finished.',
  STREAM_SEQUENCE_ERROR: "The run's events arrived out of order.",
  INVALID_EVENT: "The run's event stream held an invalid event.",
  TOOL_ERROR: 'A tool failed.',
  TOOL_TIMEOUT: 'A tool took too long and was stopped.',
  SCRIPT_ERROR: 'A script failed.',
  STORE_ERROR: 'The server could not save the run.',
  INTERNAL_ERROR: 'Something went wrong inside the server.',
  ABORTED: 'The run was stopped.',
  CONFIGURATION_ERROR: 'The server is missing a setting.',
  VALIDATION_ERROR: 'The server did not accept the request.',
  UNKNOWN_PROVIDER: 'The server does not know this provider.',
  UNKNOWN_MODEL: 'The server does not know this model.',
  THREAD_NOT_FOUND: 'This thread no longer exists.',
  RUN_NOT_FOUND: 'This run no longer exists.',
  RUN_STILL_ACTIVE: 'This turn is still running. Stop it first.',
  RUN_ALREADY_REPLACED: 'This turn was already retried or regenerated.',
  RUN_THREAD_MISMATCH: 'That run belongs to another thread.',
  SERVER_UNREACHABLE: 'Cannot reach the Cody server.',
  UNAUTHORIZED: 'The server needs a valid API token (open Settings).',
  BAD_RESPONSE: 'The server sent an answer Cody does not understand.',
  RATE_LIMITED: 'Too many requests. Wait a moment, then try again.',
  PAYLOAD_TOO_LARGE: 'The message is too large for the server.',
};

export function describeError(code: string): string {
  return SENTENCES[code] ?? 'Something went wrong.';
}

/** The URL an error names in its details (`{url}`), if any: where a connection was tried. */
export function errorUrl(details: unknown): string | undefined {
  if (typeof details !== 'object' || details === null || !('url' in details)) return undefined;
  const url = (details as { url: unknown }).url;
  return typeof url === 'string' ? url : undefined;
}
