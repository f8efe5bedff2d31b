import type { Usage } from '@cody/schema';
import type { AnthropicUsage } from './anthropic-wire-schemas';

const whole = (value: number | null | undefined) =>
  typeof value === 'number' && value > 0 ? Math.round(value) : 0;

/**
 * Messages usage → canonical. Anthropic's `input_tokens` leaves out cache reads and writes,
 * so the prompt is their sum (what OpenAI's `input_tokens` means); cached = cache reads.
 */
export function mapAnthropicUsage(usage: AnthropicUsage): Usage {
  const prompt =
    whole(usage.input_tokens) +
    whole(usage.cache_read_input_tokens) +
    whole(usage.cache_creation_input_tokens);
  const completion = whole(usage.output_tokens);
  const result: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  const thinking = usage.output_tokens_details?.thinking_tokens;
  if (typeof thinking === 'number') result.reasoning_tokens = whole(thinking);
  if (typeof usage.cache_read_input_tokens === 'number') {
    result.cached_tokens = whole(usage.cache_read_input_tokens);
  }
  return result;
}
