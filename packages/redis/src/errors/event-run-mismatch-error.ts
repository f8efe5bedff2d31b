import { CodyError } from '@cody/schema';
import { REDIS_ERROR_CODES } from './redis-error-codes';

/** An event was published into another run's stream than the one its `run_id` names. */
export class EventRunMismatchError extends CodyError {
  constructor(eventId: string, eventRunId: string, runId: string) {
    super(
      REDIS_ERROR_CODES.INVALID_EVENT,
      `run_id: event ${eventId} belongs to run ${eventRunId}, not ${runId}`,
      {
        details: { eventId, eventRunId, runId },
      },
    );
    this.name = 'EventRunMismatchError';
  }
}
