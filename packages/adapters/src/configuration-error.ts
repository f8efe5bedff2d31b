import { CodyError, ERROR_CODES } from '@cody/schema';

/** Something the deployment must set is missing or wrong (a provider key, `CODY_MODELS`). */
export class ConfigurationError extends CodyError {
  /** A client asking for an unconfigured provider made a 400-class mistake. */
  readonly httpStatus = 400;

  constructor(message: string, details?: unknown) {
    super(ERROR_CODES.CONFIGURATION_ERROR, message, details === undefined ? {} : { details });
    this.name = 'ConfigurationError';
  }
}
