import { CodyError } from '@cody/schema';
import { TOOL_ERROR_CODES } from './tool-error-codes';

/** A configuration variable has a bad value; the message names the variable. */
export class ToolConfigurationError extends CodyError {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(TOOL_ERROR_CODES.CONFIGURATION_ERROR, `${variable}: ${message}`, { details: { variable } });
    this.name = 'ToolConfigurationError';
    this.variable = variable;
  }
}
