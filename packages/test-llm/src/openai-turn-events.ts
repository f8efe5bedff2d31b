import { type SseFrame, sseFrame } from './sse-frame';
import type { TurnPlan } from './turn-plan';
import { wireIds } from './wire-ids';

type Json = Record<string, unknown>;

/** A scripted turn as the OpenAI Responses API streams it (`POST /v1/responses`, `stream: true`). */
export function openaiTurnEvents(plan: TurnPlan, body: Json): SseFrame[] {
  const reasoningParam = (body.reasoning ?? undefined) as { effort?: unknown; summary?: unknown } | undefined;
  const include = Array.isArray(body.include) ? body.include : [];
  const wantsReasoning = typeof reasoningParam === 'object' && reasoningParam !== null;
  const wantsSummary =
    wantsReasoning && typeof reasoningParam.summary === 'string' && reasoningParam.summary !== 'none';
  const wantsEncrypted = include.includes('reasoning.encrypted_content');

  const id = wireIds.openaiResponse();
  const createdAt = Math.floor(Date.now() / 1000);
  const model = typeof body.model === 'string' ? body.model : 'unknown';
  let sequence = 0;
  const frames: SseFrame[] = [];
  const output: Json[] = [];
  const push = (type: string, data: Json) =>
    frames.push(sseFrame(type, { type, sequence_number: sequence++, ...data }));
  const response = (status: string, extra: Json = {}): Json => ({
    id,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model,
    output: [...output],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: reasoningParam?.effort ?? null, summary: reasoningParam?.summary ?? null },
    store: body.store ?? true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: body.tools ?? [],
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
    ...extra,
  });

  push('response.created', { response: response('in_progress') });
  push('response.in_progress', { response: response('in_progress') });

  for (const part of plan.parts) {
    const outputIndex = output.length;
    if (part.type === 'reasoning' || part.type === 'redacted_reasoning') {
      if (!wantsReasoning) continue;
      const itemId = wireIds.openaiReasoning();
      const encrypted = (item: Json) =>
        wantsEncrypted ? { ...item, encrypted_content: `gAAAAB${wireIds.opaque()}` } : item;
      push('response.output_item.added', {
        output_index: outputIndex,
        item: encrypted({ id: itemId, type: 'reasoning', summary: [] }),
      });
      const summary: Json[] = [];
      if (part.type === 'reasoning' && wantsSummary) {
        part.parts.forEach((text, summaryIndex) => {
          const at = { item_id: itemId, output_index: outputIndex, summary_index: summaryIndex };
          push('response.reasoning_summary_part.added', { ...at, part: { type: 'summary_text', text: '' } });
          for (const delta of part.deltas[summaryIndex] ?? []) {
            push('response.reasoning_summary_text.delta', {
              ...at,
              delta,
              obfuscation: wireIds.obfuscation(),
            });
          }
          push('response.reasoning_summary_text.done', { ...at, text });
          push('response.reasoning_summary_part.done', { ...at, part: { type: 'summary_text', text } });
          summary.push({ type: 'summary_text', text });
        });
      }
      const item = encrypted({ id: itemId, type: 'reasoning', summary });
      push('response.output_item.done', { output_index: outputIndex, item });
      output.push(item);
    } else if (part.type === 'text') {
      const itemId = wireIds.openaiMessage();
      const at = { item_id: itemId, output_index: outputIndex, content_index: 0 };
      push('response.output_item.added', {
        output_index: outputIndex,
        item: { id: itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
      });
      push('response.content_part.added', {
        ...at,
        part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
      });
      for (const delta of part.deltas) {
        push('response.output_text.delta', {
          ...at,
          delta,
          logprobs: [],
          obfuscation: wireIds.obfuscation(),
        });
      }
      const content = { type: 'output_text', annotations: [], logprobs: [], text: part.text };
      push('response.output_text.done', { ...at, text: part.text, logprobs: [] });
      push('response.content_part.done', { ...at, part: content });
      const item = {
        id: itemId,
        type: 'message',
        status: 'completed',
        content: [content],
        role: 'assistant',
      };
      push('response.output_item.done', { output_index: outputIndex, item });
      output.push(item);
    } else {
      const itemId = wireIds.openaiFunctionCall();
      const callId = part.callId ?? wireIds.openaiCallId();
      const base = { id: itemId, type: 'function_call', call_id: callId, name: part.name };
      push('response.output_item.added', {
        output_index: outputIndex,
        item: { ...base, status: 'in_progress', arguments: '' },
      });
      for (const delta of part.deltas) {
        push('response.function_call_arguments.delta', {
          item_id: itemId,
          output_index: outputIndex,
          delta,
          obfuscation: wireIds.obfuscation(),
        });
      }
      push('response.function_call_arguments.done', {
        item_id: itemId,
        output_index: outputIndex,
        arguments: part.arguments,
      });
      const item = { ...base, status: 'completed', arguments: part.arguments };
      push('response.output_item.done', { output_index: outputIndex, item });
      output.push(item);
    }
  }

  const { usage } = plan;
  const usageJson = {
    input_tokens: usage.input,
    input_tokens_details: { cached_tokens: usage.cached },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: usage.reasoning },
    total_tokens: usage.input + usage.output,
  };
  if (plan.finish === 'length' || plan.finish === 'content_filter') {
    const reason = plan.finish === 'length' ? 'max_output_tokens' : 'content_filter';
    push('response.incomplete', {
      response: response('incomplete', { incomplete_details: { reason }, usage: usageJson }),
    });
  } else {
    push('response.completed', { response: response('completed', { usage: usageJson }) });
  }

  return frames;
}
