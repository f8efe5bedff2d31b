import { CodyError } from '@cody/schema';
import { REDIS_ERROR_CODES } from './redis-error-codes';

/** The run's lease lapsed or belongs to another owner: this process must stop driving the run. */
export class LeaseLostError extends CodyError {
  readonly runId: string;

  constructor(runId: string, owner: string) {
    super(REDIS_ERROR_CODES.LEASE_LOST, `lease of run ${runId} is no longer held by ${owner}`, {
      details: { runId, owner },
    });
    this.name = 'LeaseLostError';
    this.runId = runId;
  }
}
