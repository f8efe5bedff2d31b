import { ApprovalModeSchema, CodyIdSchema } from '@cody/schema';
import { z } from 'zod';

/** What a driver leaves with a run it hands over: enough for another process to continue it. */
export const HandoverRecordSchema = z.strictObject({
  runId: CodyIdSchema,
  turnId: CodyIdSchema,
  threadId: CodyIdSchema,
  agentId: z.string().optional(),
  providerId: z.string().min(1),
  modelId: z.string().min(1),
  approval: ApprovalModeSchema,
  reasoning: z.strictObject({ effort: z.enum(['minimal', 'low', 'medium', 'high']).optional() }).optional(),
});
export type HandoverRecord = z.infer<typeof HandoverRecordSchema>;

export function parseHandoverRecord(raw: string): HandoverRecord {
  return HandoverRecordSchema.parse(JSON.parse(raw));
}
