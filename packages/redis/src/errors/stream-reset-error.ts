import { CodyError } from '@cody/schema';
import { REDIS_ERROR_CODES } from './redis-error-codes';

/**
 * A run's stream no longer holds the entry a reader had reached (Redis restarted without
 * persistence, or the stream expired): continuing would silently skip events, so the reader is
 * ended instead.
 */
export class StreamResetError extends CodyError {
  readonly runId: string;

  constructor(runId: string, cursor: string) {
    super(
      REDIS_ERROR_CODES.RUN_STREAM_LOST,
      `the stream of run ${runId} lost entry ${cursor} and what came before it`,
      {
        details: { runId, cursor },
      },
    );
    this.name = 'StreamResetError';
    this.runId = runId;
  }
}
