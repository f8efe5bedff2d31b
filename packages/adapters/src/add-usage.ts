import type { Usage } from '@cody/schema';

/** Sums two usages (a run's model calls); optional counts stay absent unless either has them. */
export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a) return b;
  if (!b) return a;
  const sum: Usage = {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
  };
  if (a.reasoning_tokens !== undefined || b.reasoning_tokens !== undefined) {
    sum.reasoning_tokens = (a.reasoning_tokens ?? 0) + (b.reasoning_tokens ?? 0);
  }
  if (a.cached_tokens !== undefined || b.cached_tokens !== undefined) {
    sum.cached_tokens = (a.cached_tokens ?? 0) + (b.cached_tokens ?? 0);
  }
  return sum;
}
