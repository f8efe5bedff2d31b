import type { FinishReason } from '@cody/schema';

/**
 * A finished Responses call → canonical finish reason: `completed` is `tool_calls` when the
 * model called functions (`content_filter` when it refused), else `stop`; `incomplete` says why.
 */
export function mapOpenAIFinishReason(
  status: 'completed' | 'incomplete',
  context: { incompleteReason?: string | null | undefined; calledTools: boolean; refused: boolean },
): FinishReason {
  if (status === 'incomplete') {
    if (context.incompleteReason === 'content_filter') return 'content_filter';
    return 'length';
  }
  if (context.calledTools) return 'tool_calls';
  if (context.refused) return 'content_filter';
  return 'stop';
}
