import { type SseFrame, sseFrame } from './sse-frame';
import type { TurnPlan } from './turn-plan';
import { signThinking, wireIds } from './wire-ids';

type Json = Record<string, unknown>;

const STOP_REASONS = {
  stop: 'end_turn',
  tool_calls: 'tool_use',
  length: 'max_tokens',
  content_filter: 'refusal',
} as const;

/** A scripted turn as the Anthropic Messages API streams it (`POST /v1/messages`, `stream: true`). */
export function anthropicTurnEvents(plan: TurnPlan, body: Json): SseFrame[] {
  const thinking = body.thinking as { type?: unknown } | undefined;
  const wantsThinking = thinking?.type === 'enabled' || thinking?.type === 'adaptive';
  const model = typeof body.model === 'string' ? body.model : 'unknown';
  const frames: SseFrame[] = [];
  const push = (type: string, data: Json) => frames.push(sseFrame(type, { type, ...data }));
  const { usage } = plan;
  const usageJson = (outputTokens: number) => ({
    input_tokens: Math.max(0, usage.input - usage.cached),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: usage.cached,
    output_tokens: outputTokens,
  });

  push('message_start', {
    message: {
      id: wireIds.anthropicMessage(),
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usageJson(1), service_tier: 'standard' },
    },
  });

  let index = 0;
  let pinged = false;
  const start = (block: Json) => {
    push('content_block_start', { index, content_block: block });
    // the API sends one ping early, inside the first block
    if (!pinged) push('ping', {});
    pinged = true;
  };
  const delta = (value: Json) => push('content_block_delta', { index, delta: value });
  const stop = () => {
    push('content_block_stop', { index });
    index += 1;
  };

  for (const part of plan.parts) {
    if (part.type === 'reasoning') {
      if (!wantsThinking) continue;
      const text = part.parts.join('\n\n');
      start({ type: 'thinking', thinking: '', signature: '' });
      part.deltas.forEach((deltas, i) => {
        if (i > 0) delta({ type: 'thinking_delta', thinking: '\n\n' });
        for (const piece of deltas) delta({ type: 'thinking_delta', thinking: piece });
      });
      delta({ type: 'signature_delta', signature: signThinking(text) });
      stop();
    } else if (part.type === 'redacted_reasoning') {
      if (!wantsThinking) continue;
      start({ type: 'redacted_thinking', data: wireIds.opaque(256) });
      stop();
    } else if (part.type === 'text') {
      start({ type: 'text', text: '' });
      for (const piece of part.deltas) delta({ type: 'text_delta', text: piece });
      stop();
    } else {
      start({ type: 'tool_use', id: part.callId ?? wireIds.anthropicToolUse(), name: part.name, input: {} });
      delta({ type: 'input_json_delta', partial_json: '' });
      for (const piece of part.deltas) delta({ type: 'input_json_delta', partial_json: piece });
      stop();
    }
  }

  push('message_delta', {
    delta: { stop_reason: STOP_REASONS[plan.finish], stop_sequence: null },
    usage: usageJson(usage.output),
  });
  push('message_stop', {});

  return frames;
}
