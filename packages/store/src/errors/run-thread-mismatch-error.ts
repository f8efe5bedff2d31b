import { CodyError } from '@cody/schema';
import { STORE_ERROR_CODES } from './store-error-codes';

/** A snapshot claims another thread than the one its run is stored under; runs never move. */
export class RunThreadMismatchError extends CodyError {
  constructor(runId: string, storedThreadId: string, givenThreadId: string) {
    super(
      STORE_ERROR_CODES.RUN_THREAD_MISMATCH,
      `run ${runId} belongs to thread ${storedThreadId}, not ${givenThreadId}`,
      { details: { runId, storedThreadId, givenThreadId } },
    );
    this.name = 'RunThreadMismatchError';
  }
}
