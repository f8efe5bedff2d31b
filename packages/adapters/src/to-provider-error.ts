import { CodyError, ERROR_CODES } from '@cody/schema';
import { AbortedError } from './aborted-error';
import { ProviderError, type ProviderErrorCode, type ProviderErrorDetails } from './provider-error';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

const RATE_LIMITED = new Set(['rate_limit_error', 'rate_limit_exceeded', 'requests', 'tokens']);
const OVERLOADED = new Set(['overloaded_error', 'overloaded', 'server_is_overloaded', 'slow_down']);
const AUTH = new Set(['authentication_error', 'permission_error', 'invalid_api_key']);
const SERVER = new Set(['api_error', 'server_error', 'internal_error', 'timeout_error']);

/** Stable code and retryability from an HTTP status and the provider's error type/code. */
export function classifyProviderFailure(
  status: number | undefined,
  providerType: string | undefined,
  providerCode: string | undefined,
): { code: ProviderErrorCode; isRetryable: boolean } {
  const kinds = [providerType, providerCode].filter((kind): kind is string => kind !== undefined);
  // out of credit is a 429 that waiting does not fix
  if (kinds.includes('insufficient_quota')) return { code: ERROR_CODES.PROVIDER_ERROR, isRetryable: false };
  if (status === 401 || status === 403 || kinds.some((kind) => AUTH.has(kind))) {
    return { code: ERROR_CODES.PROVIDER_AUTH_ERROR, isRetryable: false };
  }
  if (status === 429 || kinds.some((kind) => RATE_LIMITED.has(kind))) {
    return { code: ERROR_CODES.PROVIDER_RATE_LIMITED, isRetryable: true };
  }
  if (status === 529 || status === 503 || kinds.some((kind) => OVERLOADED.has(kind))) {
    return { code: ERROR_CODES.PROVIDER_OVERLOADED, isRetryable: true };
  }
  if (
    (status !== undefined && status >= 500) ||
    status === 408 ||
    status === 409 ||
    kinds.some((kind) => SERVER.has(kind))
  ) {
    return { code: ERROR_CODES.PROVIDER_ERROR, isRetryable: true };
  }
  return { code: ERROR_CODES.PROVIDER_ERROR, isRetryable: false };
}

/** An error a provider reported inside the stream (`response.failed`, Anthropic `error`). */
export function providerErrorFromEvent(
  provider: string,
  failure: { type?: string | undefined; code?: string | undefined; message?: string | undefined },
): ProviderError {
  const { code, isRetryable } = classifyProviderFailure(undefined, failure.type, failure.code);
  const details: ProviderErrorDetails = { provider };
  if (failure.type) details.providerType = failure.type;
  if (failure.code) details.providerCode = failure.code;
  const reason = failure.message ?? failure.code ?? failure.type ?? 'unknown error';
  return new ProviderError(code, `${provider} stream failed: ${reason}`, { details, isRetryable });
}

export function connectionLost(
  provider: string,
  reason: string,
  cause?: unknown,
  url?: string,
): ProviderError {
  return new ProviderError(
    ERROR_CODES.PROVIDER_CONNECTION_LOST,
    `Connection to ${provider}${url ? ` (${url})` : ''} lost: ${reason}`,
    {
      details: url ? { provider, url } : { provider },
      isRetryable: true,
      cause,
    },
  );
}

const CONNECTION_MESSAGES =
  /terminated|other side closed|socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|fetch failed|network|premature close|aborted/i;

/**
 * Any failure of a model call → a typed error: SDK HTTP errors by status and provider error
 * type, mid-stream error events by type, transport failures as PROVIDER_CONNECTION_LOST.
 * Works on both SDKs' errors by shape, so two copies of an SDK do not matter.
 */
export function toProviderError(
  provider: string,
  error: unknown,
  signal?: AbortSignal,
  /** The base URL called, named in connection failures. */
  url?: string,
): CodyError {
  if (CodyError.isInstance(error)) return error;
  if (signal?.aborted) return new AbortedError(error);
  const e = isObject(error) ? error : {};
  const name = text(e.name) ?? '';
  if (name === 'APIUserAbortError' || name === 'AbortError') return new AbortedError(error);
  if (name === 'APIConnectionTimeoutError') return connectionLost(provider, 'request timed out', error, url);
  if (name === 'APIConnectionError') {
    const cause = isObject(e.cause) ? text(e.cause.message) : undefined;
    return connectionLost(provider, cause ?? text(e.message) ?? 'connection error', error, url);
  }

  const status = typeof e.status === 'number' ? e.status : undefined;
  const body = e.error;
  // Anthropic bodies nest the error (`{type:'error', error:{type,message}}`); OpenAI's SDK keeps the inner one
  const inner = isObject(body) && isObject(body.error) ? body.error : isObject(body) ? body : {};
  const providerType = text(e.type) ?? text(inner.type);
  const providerCode = text(e.code) ?? text(inner.code);
  const apiMessage = text(inner.message);
  const isApiError =
    status !== undefined || name === 'APIError' || apiMessage !== undefined || providerType !== undefined;

  if (!isApiError) {
    const message = text(e.message) ?? String(error);
    const causeMessage = isObject(e.cause) ? (text(e.cause.message) ?? text(e.cause.code) ?? '') : '';
    if (name === 'TypeError' || CONNECTION_MESSAGES.test(`${message} ${causeMessage}`)) {
      return connectionLost(provider, causeMessage ? `${message} (${causeMessage})` : message, error, url);
    }
    if (name === 'SyntaxError') {
      return new ProviderError(ERROR_CODES.PROVIDER_ERROR, `${provider} sent a malformed event: ${message}`, {
        details: { provider },
        cause: error,
      });
    }
    return new ProviderError(ERROR_CODES.PROVIDER_ERROR, `${provider} call failed: ${message}`, {
      details: { provider },
      cause: error,
    });
  }

  const { code, isRetryable } = classifyProviderFailure(status, providerType, providerCode);
  const details: ProviderErrorDetails = { provider };
  if (status !== undefined) details.status = status;
  if (providerType) details.providerType = providerType;
  if (providerCode) details.providerCode = providerCode;
  const requestId = text(e.requestID) ?? text(e.request_id);
  if (requestId) details.requestId = requestId;
  const reason = apiMessage ?? text(e.message) ?? 'unknown error';
  const prefix = status === undefined ? `${provider} stream failed` : `${provider} returned HTTP ${status}`;
  return new ProviderError(code, `${prefix}: ${reason}`, { details, isRetryable, cause: error });
}
