import { CodyError, type ERROR_CODES } from '@cody/schema';

export type ProviderErrorCode =
  | typeof ERROR_CODES.PROVIDER_AUTH_ERROR
  | typeof ERROR_CODES.PROVIDER_RATE_LIMITED
  | typeof ERROR_CODES.PROVIDER_OVERLOADED
  | typeof ERROR_CODES.PROVIDER_ERROR
  | typeof ERROR_CODES.PROVIDER_CONNECTION_LOST;

export interface ProviderErrorDetails {
  provider: string;
  /** HTTP status, when the provider answered with one. */
  status?: number;
  /** The provider's own error type / code (`overloaded_error`, `insufficient_quota`…). */
  providerType?: string;
  providerCode?: string;
  requestId?: string;
  /** The base URL the call went to, on connection failures (so a wrong `*_BASE_URL` shows). */
  url?: string;
}

/** A model call failed: an HTTP error before the stream, an error event in it, or a lost connection. */
export class ProviderError extends CodyError {
  declare readonly code: ProviderErrorCode;
  declare readonly details: ProviderErrorDetails;

  constructor(
    code: ProviderErrorCode,
    message: string,
    options: { details: ProviderErrorDetails; isRetryable?: boolean; cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'ProviderError';
  }

  get status(): number | undefined {
    return this.details.status;
  }
}
