import { CodyError, ERROR_CODES } from '@cody/schema';

/** A provider id that no adapter serves. */
export class UnknownProviderError extends CodyError {
  readonly httpStatus = 400;

  constructor(providerId: string, known: readonly string[]) {
    super(
      ERROR_CODES.UNKNOWN_PROVIDER,
      `Unknown provider "${providerId}"; known providers: ${known.join(', ')}`,
      {
        details: { providerId, known },
      },
    );
    this.name = 'UnknownProviderError';
  }
}
