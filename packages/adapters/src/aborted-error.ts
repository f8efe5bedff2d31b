import { CodyError, ERROR_CODES } from '@cody/schema';

/** The caller's AbortSignal fired; the HTTP request was aborted. */
export class AbortedError extends CodyError {
  constructor(cause?: unknown) {
    super(ERROR_CODES.ABORTED, 'The model call was aborted', cause === undefined ? {} : { cause });
    this.name = 'AbortedError';
  }
}
