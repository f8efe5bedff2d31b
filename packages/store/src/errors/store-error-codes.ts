import { ERROR_CODES } from '@cody/schema';

/** Stable codes the stores raise; the shared ones come from @cody/schema's ERROR_CODES. */
export const STORE_ERROR_CODES = {
  VALIDATION_ERROR: ERROR_CODES.VALIDATION_ERROR,
  THREAD_NOT_FOUND: ERROR_CODES.THREAD_NOT_FOUND,
  STORE_ERROR: ERROR_CODES.STORE_ERROR,
  /** `createThread` with an id that is already taken. */
  THREAD_ALREADY_EXISTS: 'THREAD_ALREADY_EXISTS',
  /** `putRun` of a run whose stored snapshot belongs to another thread. */
  RUN_THREAD_MISMATCH: 'RUN_THREAD_MISMATCH',
} as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[keyof typeof STORE_ERROR_CODES];
