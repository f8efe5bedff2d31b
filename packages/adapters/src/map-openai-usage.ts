import type { Usage } from '@cody/schema';
import type { OpenAIUsage } from './openai-wire-schemas';

const whole = (value: number | null | undefined) =>
  typeof value === 'number' && value > 0 ? Math.round(value) : 0;

/** Responses usage → canonical; `input_tokens` already includes the cached ones. */
export function mapOpenAIUsage(usage: OpenAIUsage): Usage {
  const prompt = whole(usage.input_tokens);
  const completion = whole(usage.output_tokens);
  const result: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: whole(usage.total_tokens) || prompt + completion,
  };
  const reasoning = usage.output_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') result.reasoning_tokens = whole(reasoning);
  const cached = usage.input_tokens_details?.cached_tokens;
  if (typeof cached === 'number') result.cached_tokens = whole(cached);
  return result;
}
