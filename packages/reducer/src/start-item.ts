import type { OutputItem, PayloadOf } from '@cody/schema';

/** The empty item an `item_start` opens, filled by deltas and replaced by `item_done`. */
export function startItem(payload: PayloadOf<'item_start'>): OutputItem {
  const id = payload.item_id;
  switch (payload.item_type) {
    case 'message':
      return {
        id,
        type: 'message',
        origin: payload.origin === 'user' || payload.origin === 'system' ? payload.origin : 'agent',
        content: '',
      };
    case 'reasoning':
      return { id, type: 'reasoning', origin: payload.origin === 'system' ? 'system' : 'agent', content: '' };
    case 'function_call':
      return {
        id,
        type: 'function_call',
        origin: 'agent',
        name: payload.name ?? '',
        arguments: '',
        call_id: payload.call_id ?? '',
      };
    case 'function_call_output':
      return {
        id,
        type: 'function_call_output',
        origin: payload.origin === 'system' ? 'system' : 'tool_harness',
        call_id: payload.call_id ?? '',
        output: '',
        success: false,
      };
    case 'script_execution':
      return payload.call_id === undefined
        ? { id, type: 'script_execution', origin: 'agent', code: payload.code ?? '' }
        : {
            id,
            type: 'script_execution',
            origin: 'agent',
            code: payload.code ?? '',
            call_id: payload.call_id,
          };
    case 'script_execution_output':
      return {
        id,
        type: 'script_execution_output',
        origin: 'tool_harness',
        script_id: payload.script_id ?? '',
        result: '',
        success: false,
      };
    case 'error':
      return { id, type: 'error', origin: 'system', code: 'ERROR', message: '' };
  }
}

/** Appends a delta to the item's growing text field. */
export function appendDelta(item: OutputItem, delta: string): OutputItem {
  switch (item.type) {
    case 'message':
    case 'reasoning':
      return { ...item, content: item.content + delta };
    case 'function_call':
      return { ...item, arguments: item.arguments + delta };
    case 'function_call_output':
      return { ...item, output: item.output + delta };
    case 'script_execution':
      return { ...item, code: item.code + delta };
    case 'script_execution_output':
      return { ...item, result: item.result + delta };
    case 'error':
      return { ...item, message: item.message + delta };
  }
}
