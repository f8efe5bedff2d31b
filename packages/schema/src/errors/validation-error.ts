import type { z } from 'zod';
import { formatValidationError } from '../format-validation-error';
import { CodyError } from './cody-error';
import { ERROR_CODES } from './error-codes';

/** Input that failed a schema; the message names each failing field path. */
export class ValidationError extends CodyError {
  readonly issues: readonly { path: string; message: string }[];

  constructor(error: z.ZodError, options: { code?: string; prefix?: string; what?: string } = {}) {
    const described = formatValidationError(error, options.prefix);
    super(
      options.code ?? ERROR_CODES.VALIDATION_ERROR,
      options.what ? `${options.what}: ${described}` : described,
      {
        details: {
          issues: error.issues.map((issue) => ({
            path: [options.prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
            message: issue.message,
          })),
        },
      },
    );
    this.name = 'ValidationError';
    this.issues = (this.details as { issues: { path: string; message: string }[] }).issues;
  }
}
