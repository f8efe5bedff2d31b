import { CodyError } from '@cody/schema';
import { TOOL_ERROR_CODES } from './tool-error-codes';

export class ToolTimeoutError extends CodyError {
  readonly timeoutMs: number;

  constructor(name: string, timeoutMs: number) {
    super(TOOL_ERROR_CODES.TOOL_TIMEOUT, `${name} timed out after ${timeoutMs} ms`, {
      details: { timeoutMs },
    });
    this.name = 'ToolTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}
