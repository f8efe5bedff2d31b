import { CodyError } from '@cody/schema';

/** An error the CLI reports as one line `cody: <message> (<code>)` and exits with. */
export class CliError extends CodyError {
  readonly exitCode: number;

  constructor(code: string, message: string, exitCode = 1, cause?: unknown) {
    super(code, message, cause === undefined ? {} : { cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
