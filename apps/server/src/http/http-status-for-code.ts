/** The HTTP status a CodyError code maps to; anything unlisted is a server fault. */
const STATUS_BY_CODE: Record<string, number> = {
  VALIDATION_ERROR: 400,
  INVALID_JSON: 400,
  UNKNOWN_PROVIDER: 400,
  UNKNOWN_MODEL: 400,
  CONFIGURATION_ERROR: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  THREAD_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  RUN_ALREADY_EXISTS: 409,
  RUN_NOT_ACTIVE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REDIS_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
};

export function httpStatusForCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 500;
}
