import type { ProviderPart } from './model-provider';

/** Turns one provider's stream events into provider parts, keeping the state a call needs. */
export interface StreamMapper {
  /** The parts one provider event turns into; throws a ProviderError for failure events. */
  map(event: unknown): ProviderPart[];
  /** Called when the stream ends; throws when it ended before the provider's terminal event. */
  end(): ProviderPart[];
}
