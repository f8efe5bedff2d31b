import { z } from 'zod';

const tokenCount = z.number().int().nonnegative();

/** Token usage of a run, summed over its model calls. */
export const UsageSchema = z.strictObject({
  prompt_tokens: tokenCount,
  completion_tokens: tokenCount,
  total_tokens: tokenCount,
  reasoning_tokens: tokenCount.optional(),
  cached_tokens: tokenCount.optional(),
});
export type Usage = z.infer<typeof UsageSchema>;
