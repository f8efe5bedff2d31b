import { z } from 'zod';
import { CodyIdSchema } from './ids';
import { TimestampSchema } from './response';

/** A conversation: an ordered list of runs (turns) that share history. */
export const ThreadSchema = z.strictObject({
  id: CodyIdSchema,
  title: z.string().max(500),
  agent_id: z.string().optional(),
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
});
export type Thread = z.infer<typeof ThreadSchema>;
