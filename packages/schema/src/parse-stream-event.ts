import { ERROR_CODES } from './errors/error-codes';
import { ValidationError } from './errors/validation-error';
import { type StreamEvent, StreamEventSchema } from './stream-event';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ValidationError };

/** Validates unknown input as a StreamEvent without throwing. */
export function safeParseStreamEvent(input: unknown): ParseResult<StreamEvent> {
  const result = StreamEventSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data as StreamEvent };
  return { ok: false, error: new ValidationError(result.error, { code: ERROR_CODES.INVALID_EVENT }) };
}

/** Validates unknown input as a StreamEvent; throws a ValidationError naming the field. */
export function parseStreamEvent(input: unknown): StreamEvent {
  const result = safeParseStreamEvent(input);
  if (!result.ok) throw result.error;
  return result.value;
}
