import type { Usage } from '@cody/schema';

const count = new Intl.NumberFormat('en');

/** "1,234 tokens · 1,000 in · 234 out · 50 reasoning · 800 cached" */
export function formatUsage(usage: Usage): string {
  const parts = [
    `${count.format(usage.total_tokens)} tokens`,
    `${count.format(usage.prompt_tokens)} in`,
    `${count.format(usage.completion_tokens)} out`,
  ];
  if (usage.reasoning_tokens) parts.push(`${count.format(usage.reasoning_tokens)} reasoning`);
  if (usage.cached_tokens) parts.push(`${count.format(usage.cached_tokens)} cached`);
  return parts.join(' · ');
}
