import { CodyError, type CodyErrorOptions } from '@cody/schema';

/** Codes the client itself assigns when the server gave none. */
export const CLIENT_ERROR_CODES = {
  /** The request never reached the server (offline, refused, DNS…). */
  SERVER_UNREACHABLE: 'SERVER_UNREACHABLE',
  /** The server answered with something that is not the JSON we expect. */
  BAD_RESPONSE: 'BAD_RESPONSE',
  /** The server wants a bearer token and none (or a wrong one) was sent. */
  UNAUTHORIZED: 'UNAUTHORIZED',
} as const;

export interface ApiErrorOptions extends CodyErrorOptions {
  /** HTTP status; 0 when no response arrived. */
  status: number;
}

/** A failed API call: the server's `{error: {code, message}}`, or a client-side code. */
export class ApiError extends CodyError {
  readonly status: number;

  constructor(code: string, message: string, options: ApiErrorOptions) {
    super(code, message, options);
    this.name = 'ApiError';
    this.status = options.status;
  }

  /** True when the server could not be reached or answered like a broken proxy. */
  get isUnreachable(): boolean {
    return this.code === CLIENT_ERROR_CODES.SERVER_UNREACHABLE;
  }

  get isUnauthorized(): boolean {
    return this.status === 401 || this.code === CLIENT_ERROR_CODES.UNAUTHORIZED;
  }
}

/** Wraps anything thrown into an ApiError so UI code handles one shape. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (CodyError.isInstance(error))
    return new ApiError(error.code, error.message, { status: 0, cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(CLIENT_ERROR_CODES.SERVER_UNREACHABLE, message, {
    status: 0,
    cause: error,
    isRetryable: true,
  });
}
