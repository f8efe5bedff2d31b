import { CodyError, type CodyErrorOptions } from '@cody/schema';

/** A tool failed for a reason of its own (an edit that does not match, a bad pattern…). */
export class ToolError extends CodyError {
  constructor(code: string, message: string, options: CodyErrorOptions = {}) {
    super(code, message, options);
    this.name = 'ToolError';
  }
}
