import { ApiError, CLIENT_ERROR_CODES } from './api-error';

/** Reads a failed HTTP response into an ApiError, trusting only the `{error: {code, message}}` shape. */
export async function errorFromResponse(response: globalThis.Response): Promise<ApiError> {
  const status = response.status;
  let text = '';
  try {
    text = await response.text();
  } catch {
    // body unreadable: fall through to the status-based message
  }
  const body = parseJson(text);
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(error.code, error.message, {
      status,
      details: error.details,
      isRetryable: status === 429 || status >= 500,
    });
  }
  if (status === 401) {
    return new ApiError(CLIENT_ERROR_CODES.UNAUTHORIZED, 'The server requires an API token.', { status });
  }
  // a proxy in front of a stopped server answers 5xx without our JSON body
  if (status >= 500) {
    return new ApiError(
      CLIENT_ERROR_CODES.SERVER_UNREACHABLE,
      `The Cody server did not answer (HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}).`,
      { status, isRetryable: true },
    );
  }
  return new ApiError(CLIENT_ERROR_CODES.BAD_RESPONSE, `Unexpected HTTP ${status} from the server.`, {
    status,
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
