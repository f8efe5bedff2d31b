import type { StreamPayload } from '@cody/schema';
import type { ScriptResult } from '@cody/tools';

/** `function_call_output` start + done: the answer to a call the model made. */
export function functionCallOutputPayloads(answer: {
  itemId: string;
  callId: string;
  output: string;
  success: boolean;
  correlationId?: string;
}): StreamPayload[] {
  return [
    {
      type: 'item_start',
      item_id: answer.itemId,
      item_type: 'function_call_output',
      origin: 'tool_harness',
      call_id: answer.callId,
    },
    {
      type: 'item_done',
      item_id: answer.itemId,
      final_item: {
        id: answer.itemId,
        type: 'function_call_output',
        origin: 'tool_harness',
        call_id: answer.callId,
        output: answer.output,
        success: answer.success,
        ...(answer.correlationId ? { correlation_id: answer.correlationId } : {}),
      },
    },
  ];
}

/** `script_execution` start (with the code) + done, published before the script runs. */
export function scriptExecutionPayloads(script: {
  scriptId: string;
  code: string;
  callId: string;
  correlationId?: string;
}): StreamPayload[] {
  return [
    {
      type: 'item_start',
      item_id: script.scriptId,
      item_type: 'script_execution',
      origin: 'agent',
      code: script.code,
      call_id: script.callId,
    },
    {
      type: 'item_done',
      item_id: script.scriptId,
      final_item: {
        id: script.scriptId,
        type: 'script_execution',
        origin: 'agent',
        code: script.code,
        call_id: script.callId,
        ...(script.correlationId ? { correlation_id: script.correlationId } : {}),
      },
    },
  ];
}

/** `script_execution_output` start + done: what the script returned, its logs and error. */
export function scriptOutputPayloads(output: {
  itemId: string;
  scriptId: string;
  result: ScriptResult;
  correlationId?: string;
}): StreamPayload[] {
  const { result } = output;
  return [
    {
      type: 'item_start',
      item_id: output.itemId,
      item_type: 'script_execution_output',
      origin: 'tool_harness',
      script_id: output.scriptId,
    },
    {
      type: 'item_done',
      item_id: output.itemId,
      final_item: {
        id: output.itemId,
        type: 'script_execution_output',
        origin: 'tool_harness',
        script_id: output.scriptId,
        result: result.result,
        success: result.success,
        ...(result.error ? { error: result.error } : {}),
        logs: result.logs,
        ...(output.correlationId ? { correlation_id: output.correlationId } : {}),
      },
    },
  ];
}
