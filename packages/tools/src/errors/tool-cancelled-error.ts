import { CodyError } from '@cody/schema';
import { TOOL_ERROR_CODES } from './tool-error-codes';

export class ToolCancelledError extends CodyError {
  constructor(name: string, reason?: string) {
    super(TOOL_ERROR_CODES.TOOL_CANCELLED, `${name} was cancelled${reason ? `: ${reason}` : ''}`);
    this.name = 'ToolCancelledError';
  }
}
