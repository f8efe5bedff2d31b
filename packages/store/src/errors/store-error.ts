import { CodyError } from '@cody/schema';
import { STORE_ERROR_CODES } from './store-error-codes';

/**
 * The backing service failed or returned data the store cannot read. Retryable when the
 * service was unreachable; not when stored data is corrupt.
 */
export class StoreError extends CodyError {
  constructor(message: string, options: { cause?: unknown; isRetryable?: boolean; details?: unknown } = {}) {
    super(STORE_ERROR_CODES.STORE_ERROR, message, options);
    this.name = 'StoreError';
  }
}
