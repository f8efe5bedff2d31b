import { ERROR_CODES } from '@cody/schema';

/** Stable codes @cody/redis raises; the shared ones come from @cody/schema's ERROR_CODES. */
export const REDIS_ERROR_CODES = {
  CONFIGURATION_ERROR: ERROR_CODES.CONFIGURATION_ERROR,
  INVALID_EVENT: ERROR_CODES.INVALID_EVENT,
  /** A Redis command failed (connection lost, server error); usually worth retrying. */
  REDIS_COMMAND_FAILED: 'REDIS_COMMAND_FAILED',
  /** The run lease is no longer held by this owner (it lapsed or another owner took it). */
  LEASE_LOST: 'LEASE_LOST',
  /** A tail was read after its tailer was closed. */
  TAILER_CLOSED: 'TAILER_CLOSED',
  /** A run's stream lost entries a consumer had already read (Redis restarted without persistence). */
  RUN_STREAM_LOST: 'RUN_STREAM_LOST',
} as const;
export type RedisErrorCode = (typeof REDIS_ERROR_CODES)[keyof typeof REDIS_ERROR_CODES];
