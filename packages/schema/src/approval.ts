import { z } from 'zod';

/**
 * When a run asks the person before a tool call runs: `auto` never, `ask-mutating` for calls
 * that can change something (exec, writes, scripts, any tool not known to be read-only), `ask-all`
 * for every call. Sent on submit (`approval`); the server default is `CODY_TOOL_APPROVAL`.
 */
export const ApprovalModeSchema = z.enum(['auto', 'ask-mutating', 'ask-all']);
export type ApprovalMode = z.infer<typeof ApprovalModeSchema>;

/** Where a function call stands with its approval; absent on calls that needed none. */
export const ApprovalStatusSchema = z.enum(['pending', 'approved', 'denied']);
export type ApprovalStatus = z.infer<typeof ApprovalStatusSchema>;

/** The approval state of a `function_call` item (`approval`), set by the approval events. */
export const ApprovalStateSchema = z.strictObject({
  status: ApprovalStatusSchema,
  /** Why it was denied (the person's words, or the timeout); sent to the model with the denial. */
  reason: z.string().max(2000).optional(),
  /** Who decided: `user` (a person through the API) or `timeout`. */
  decided_by: z.string().max(200).optional(),
  /** When a pending approval ends as denied if nobody decides (epoch ms). */
  expires_at: z.number().int().nonnegative().optional(),
});
export type ApprovalState = z.infer<typeof ApprovalStateSchema>;

/** What the person answers: `POST /api/v2/runs/:id/approvals/:callId`. */
export const ApprovalDecisionBodySchema = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  reason: z.string().trim().max(2000).optional(),
});
export type ApprovalDecisionBody = z.infer<typeof ApprovalDecisionBodySchema>;
