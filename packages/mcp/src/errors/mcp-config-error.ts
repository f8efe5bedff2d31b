import { CodyError, ERROR_CODES } from '@cody/schema';

/** `CODY_MCP_CONFIG` or the file it names is wrong; the message names the server and the field. */
export class McpConfigError extends CodyError {
  constructor(message: string) {
    super(ERROR_CODES.CONFIGURATION_ERROR, `CODY_MCP_CONFIG: ${message}`, {
      details: { variable: 'CODY_MCP_CONFIG' },
    });
    this.name = 'McpConfigError';
  }
}
