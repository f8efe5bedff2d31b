import { CodyError, ERROR_CODES } from '@cody/schema';

/** A model id the provider's catalogue does not list. */
export class UnknownModelError extends CodyError {
  readonly httpStatus = 400;

  constructor(providerId: string, modelId: string, known: readonly string[]) {
    super(
      ERROR_CODES.UNKNOWN_MODEL,
      `Unknown model "${modelId}" for provider "${providerId}"; known models: ${known.join(', ')} (add more with CODY_MODELS)`,
      { details: { providerId, modelId, known } },
    );
    this.name = 'UnknownModelError';
  }
}
