import { CodyError } from '@cody/schema';
import { REDIS_ERROR_CODES } from './redis-error-codes';

/** The stream tailer was closed (the process is shutting down) while a reader still wanted entries. */
export class TailerClosedError extends CodyError {
  constructor() {
    super(REDIS_ERROR_CODES.TAILER_CLOSED, 'the stream tailer is closed');
    this.name = 'TailerClosedError';
  }
}
