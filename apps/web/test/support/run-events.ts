import { newId } from '@cody/reducer';
import type { StreamEvent, StreamPayload } from '@cody/schema';

const TRACE = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

export interface ScriptedRun {
  runId: string;
  messageId: string;
  /** The agent message's full text (the deltas joined). */
  text: string;
  events: StreamEvent[];
}

/** A valid run: start, the user's prompt, one agent message streamed in `chunks`, usage, done. */
export function scriptedRun(chunks: readonly string[], prompt = 'Say something'): ScriptedRun {
  const runId = newId();
  const turnId = newId();
  const threadId = newId();
  const promptId = newId();
  const messageId = newId();
  const text = chunks.join('');
  const payloads: StreamPayload[] = [
    {
      type: 'response_start',
      response_id: runId,
      turn_id: turnId,
      thread_id: threadId,
      model_id: 'gpt-5-mini',
      provider_id: 'openai',
      created_at: 1_700_000_000_000,
    },
    { type: 'item_start', item_id: promptId, item_type: 'message', origin: 'user' },
    {
      type: 'item_done',
      item_id: promptId,
      final_item: { id: promptId, type: 'message', origin: 'user', content: prompt },
    },
    { type: 'item_start', item_id: messageId, item_type: 'message', origin: 'agent' },
    ...chunks.map(
      (delta): StreamPayload => ({ type: 'item_delta', item_id: messageId, delta_content: delta }),
    ),
    {
      type: 'item_done',
      item_id: messageId,
      final_item: { id: messageId, type: 'message', origin: 'agent', content: text },
    },
    {
      type: 'usage_update',
      response_id: runId,
      usage: { prompt_tokens: 12, completion_tokens: chunks.length, total_tokens: 12 + chunks.length },
    },
    { type: 'response_done', response_id: runId, status: 'complete', finish_reason: 'stop' },
  ];
  const events = payloads.map(
    (payload, index) =>
      ({
        event_id: newId(),
        timestamp: 1_700_000_000_000 + index,
        trace_context: TRACE,
        run_id: runId,
        type: payload.type,
        payload,
      }) as StreamEvent,
  );
  return { runId, messageId, text, events };
}
