import { z } from 'zod';
import { ErrorInfoSchema } from './error-info';
import { CodyIdSchema } from './ids';
import { OutputItemSchema } from './output-item';
import { UsageSchema } from './usage';

export const ResponseStatusSchema = z.enum(['queued', 'in_progress', 'complete', 'error', 'aborted']);
export type ResponseStatus = z.infer<typeof ResponseStatusSchema>;

/** Statuses a run never leaves once reached. */
export const TERMINAL_STATUSES = [
  'complete',
  'error',
  'aborted',
] as const satisfies readonly ResponseStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export const isTerminalStatus = (status: ResponseStatus): status is TerminalStatus =>
  (TERMINAL_STATUSES as readonly string[]).includes(status);

/** Normalised reasons a run stopped; providers' own reasons are mapped onto these. */
export const FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter', 'error', 'aborted'] as const;
export const FinishReasonSchema = z.string().nullable();
export type FinishReason = (typeof FINISH_REASONS)[number];

/** Epoch milliseconds. */
export const TimestampSchema = z.number().int().nonnegative();

/** The snapshot of one run: what is stored and what history returns. */
export const ResponseSchema = z.strictObject({
  /** The run id. */
  id: CodyIdSchema,
  turn_id: CodyIdSchema,
  thread_id: CodyIdSchema,
  agent_id: z.string().optional(),
  model_id: z.string().min(1),
  provider_id: z.string().min(1),
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
  status: ResponseStatusSchema,
  output_items: z.array(OutputItemSchema),
  usage: UsageSchema.optional(),
  finish_reason: FinishReasonSchema,
  error: ErrorInfoSchema.optional(),
  /**
   * The run this one replaces (retry, regenerate, edit-and-resend). Both stay in the thread;
   * a replaced run is left out of the history later turns send to the provider.
   */
  replaces_run_id: CodyIdSchema.optional(),
});
export type Response = z.infer<typeof ResponseSchema>;
