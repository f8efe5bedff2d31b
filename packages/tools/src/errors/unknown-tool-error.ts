import { CodyError } from '@cody/schema';
import { TOOL_ERROR_CODES } from './tool-error-codes';

export class UnknownToolError extends CodyError {
  constructor(name: string, known: readonly string[]) {
    super(TOOL_ERROR_CODES.UNKNOWN_TOOL, `Unknown tool "${name}"; available tools: ${known.join(', ')}`, {
      details: { name },
    });
    this.name = 'UnknownToolError';
  }
}
