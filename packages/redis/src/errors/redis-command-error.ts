import { CodyError } from '@cody/schema';
import { REDIS_ERROR_CODES } from './redis-error-codes';

/** A Redis command failed; the cause is ioredis' error. Retryable: Redis may be restarting. */
export class RedisCommandError extends CodyError {
  readonly command: string;

  constructor(command: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(REDIS_ERROR_CODES.REDIS_COMMAND_FAILED, `${command} failed: ${reason}`, {
      cause,
      details: { command },
      isRetryable: true,
    });
    this.name = 'RedisCommandError';
    this.command = command;
  }
}
