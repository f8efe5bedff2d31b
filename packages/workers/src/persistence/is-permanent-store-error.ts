import { CodyError, ERROR_CODES } from '@cody/schema';

// a snapshot the store refuses for these reasons will be refused forever
const PERMANENT = new Set<string>([
  ERROR_CODES.THREAD_NOT_FOUND,
  ERROR_CODES.VALIDATION_ERROR,
  'RUN_THREAD_MISMATCH',
]);

/** Whether retrying a failed store write is pointless (thread deleted, snapshot invalid…). */
export function isPermanentStoreError(error: unknown): boolean {
  return CodyError.isInstance(error) && PERMANENT.has(error.code);
}
