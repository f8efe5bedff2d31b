// Builds valid StreamEvents for tests: the run's ids fixed, a fresh event id each time.
import type { OutputItem, StreamEvent, StreamPayload } from '@cody/schema';
import { newId } from '../src/new-id';

export interface RunIds {
  runId: string;
  turnId: string;
  threadId: string;
}

export function makeRun(ids: Partial<RunIds> = {}) {
  const run: RunIds = { runId: newId(), turnId: newId(), threadId: newId(), ...ids };
  let clock = 1_700_000_000_000;
  const event = (payload: StreamPayload, eventId = newId()): StreamEvent =>
    ({
      event_id: eventId,
      timestamp: ++clock,
      trace_context: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      run_id: run.runId,
      type: payload.type,
      payload,
    }) as StreamEvent;
  return {
    ...run,
    event,
    start: () =>
      event({
        type: 'response_start',
        response_id: run.runId,
        turn_id: run.turnId,
        thread_id: run.threadId,
        model_id: 'gpt-5-mini',
        provider_id: 'openai',
        created_at: 1_700_000_000_000,
      }),
    itemStart: (
      itemId: string,
      itemType: OutputItem['type'] = 'message',
      extra: Record<string, string> = {},
    ) => event({ type: 'item_start', item_id: itemId, item_type: itemType, ...extra } as StreamPayload),
    delta: (itemId: string, text: string) =>
      event({ type: 'item_delta', item_id: itemId, delta_content: text }),
    messageDone: (itemId: string, content: string) =>
      event({
        type: 'item_done',
        item_id: itemId,
        final_item: { id: itemId, type: 'message', origin: 'agent', content },
      }),
    done: (status: 'complete' | 'error' | 'aborted' = 'complete', finishReason: string | null = 'stop') =>
      event({ type: 'response_done', response_id: run.runId, status, finish_reason: finishReason }),
    failed: (code = 'PROVIDER_ERROR', message = 'boom') =>
      event({ type: 'response_error', response_id: run.runId, error: { code, message } }),
    aborted: () => event({ type: 'turn_aborted_by_user', turn_id: run.turnId, reason: 'user pressed stop' }),
    usage: (prompt: number, completion: number) =>
      event({
        type: 'usage_update',
        response_id: run.runId,
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      }),
  };
}
