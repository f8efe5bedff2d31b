import { CodyError } from '@cody/schema';
import { STORE_ERROR_CODES } from './store-error-codes';

/** `createThread` was given an id that another thread already has. */
export class ThreadAlreadyExistsError extends CodyError {
  readonly threadId: string;

  constructor(threadId: string) {
    super(STORE_ERROR_CODES.THREAD_ALREADY_EXISTS, `thread ${threadId} already exists`, {
      details: { threadId },
    });
    this.name = 'ThreadAlreadyExistsError';
    this.threadId = threadId;
  }
}
