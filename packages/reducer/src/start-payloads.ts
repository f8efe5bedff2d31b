import type { OutputItem, PayloadOf, Response } from '@cody/schema';

/** The `response_start` that opens `response` again (replays, restores). */
export function responseStartPayload(response: Response): PayloadOf<'response_start'> {
  return {
    type: 'response_start',
    response_id: response.id,
    turn_id: response.turn_id,
    thread_id: response.thread_id,
    ...(response.agent_id === undefined ? {} : { agent_id: response.agent_id }),
    model_id: response.model_id,
    provider_id: response.provider_id,
    created_at: response.created_at,
    ...(response.replaces_run_id === undefined ? {} : { replaces_run_id: response.replaces_run_id }),
  };
}

/** The `item_start` that opens `item` again, with what its start must carry. */
export function itemStartPayload(item: OutputItem): PayloadOf<'item_start'> {
  const base = { type: 'item_start' as const, item_id: item.id, item_type: item.type, origin: item.origin };
  switch (item.type) {
    case 'function_call':
      return { ...base, name: item.name, call_id: item.call_id };
    case 'function_call_output':
      return { ...base, call_id: item.call_id };
    case 'script_execution':
      return item.call_id === undefined ? base : { ...base, call_id: item.call_id };
    case 'script_execution_output':
      return { ...base, script_id: item.script_id };
    default:
      return base;
  }
}
