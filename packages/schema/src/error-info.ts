import { z } from 'zod';

/** An error as it travels in events and snapshots: a stable `code` and a human message. */
export const ErrorInfoSchema = z.strictObject({
  code: z.string().min(1),
  message: z.string(),
  details: z.unknown().optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;
