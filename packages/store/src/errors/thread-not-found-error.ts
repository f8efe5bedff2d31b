import { CodyError } from '@cody/schema';
import { STORE_ERROR_CODES } from './store-error-codes';

/** The thread a write refers to does not exist (never created, or deleted). */
export class ThreadNotFoundError extends CodyError {
  readonly threadId: string;

  constructor(threadId: string) {
    super(STORE_ERROR_CODES.THREAD_NOT_FOUND, `thread ${threadId} not found`, { details: { threadId } });
    this.name = 'ThreadNotFoundError';
    this.threadId = threadId;
  }
}
