import { CodyError } from '@cody/schema';
import { REDIS_ERROR_CODES } from './redis-error-codes';

/** A Redis URL, key prefix or option that cannot work; `details.setting` names it. */
export class RedisConfigurationError extends CodyError {
  constructor(setting: string, message: string) {
    super(REDIS_ERROR_CODES.CONFIGURATION_ERROR, `${setting}: ${message}`, { details: { setting } });
    this.name = 'RedisConfigurationError';
  }
}
