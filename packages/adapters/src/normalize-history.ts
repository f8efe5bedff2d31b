import type { OutputItem, ReasoningItem } from '@cody/schema';

/** A thread's items in the order a provider accepts them: each call's output right after its batch. */
export type HistoryEntry =
  | { kind: 'message'; role: 'user' | 'assistant' | 'system'; text: string }
  | { kind: 'reasoning'; item: ReasoningItem }
  | { kind: 'call'; callId: string; name: string; arguments: string }
  | { kind: 'output'; callId: string; output: string; success: boolean };

export const UNANSWERED_CALL_OUTPUT = 'No output: the run ended before this tool call was answered.';

/**
 * Orders history for a provider: a batch of calls is followed by all of its outputs (placed
 * where the first of them arrived); a call that never got an output (a cancelled or failed
 * run) gets a failed one, so the next request stays valid; an output without its call is
 * dropped; a script the model ran through a call is represented by that call's output.
 */
export function normalizeHistory(items: readonly OutputItem[]): HistoryEntry[] {
  const outputs = new Map<string, { output: string; success: boolean }>();
  const scriptOutputs = new Map<string, OutputItem & { type: 'script_execution_output' }>();
  for (const item of items) {
    if (item.type === 'function_call_output' && !outputs.has(item.call_id)) {
      outputs.set(item.call_id, { output: item.output, success: item.success });
    } else if (item.type === 'script_execution_output') {
      scriptOutputs.set(item.script_id, item);
    }
  }
  for (const item of items) {
    // a script started by a call answers it when the call has no output of its own
    if (item.type !== 'script_execution' || item.call_id === undefined || outputs.has(item.call_id)) continue;
    const result = scriptOutputs.get(item.id);
    if (result) outputs.set(item.call_id, { output: scriptResultText(result), success: result.success });
  }

  const entries: HistoryEntry[] = [];
  const seenCalls = new Set<string>();
  let pending: string[] = [];
  const flush = () => {
    for (const callId of pending) {
      const found = outputs.get(callId);
      entries.push({
        kind: 'output',
        callId,
        output: found?.output ?? UNANSWERED_CALL_OUTPUT,
        success: found?.success ?? false,
      });
    }
    pending = [];
  };

  for (const item of items) {
    switch (item.type) {
      case 'function_call':
        if (seenCalls.has(item.call_id)) break;
        seenCalls.add(item.call_id);
        entries.push({ kind: 'call', callId: item.call_id, name: item.name, arguments: item.arguments });
        pending.push(item.call_id);
        break;
      case 'function_call_output':
        if (pending.includes(item.call_id)) flush();
        break;
      case 'message':
        if (item.origin === 'user') flush();
        if (item.content.trim() === '') break;
        entries.push({
          kind: 'message',
          role: item.origin === 'agent' ? 'assistant' : item.origin,
          text: item.content,
        });
        break;
      case 'reasoning':
        entries.push({ kind: 'reasoning', item });
        break;
      case 'script_execution': {
        if (item.call_id !== undefined && seenCalls.has(item.call_id)) break;
        const result = scriptOutputs.get(item.id);
        const outcome = result ? `\nResult: ${scriptResultText(result)}` : '\n(no result)';
        entries.push({
          kind: 'message',
          role: 'assistant',
          text: `Ran a script:\n\`\`\`js\n${item.code}\n\`\`\`${outcome}`,
        });
        break;
      }
      case 'script_execution_output':
      case 'error':
        break;
    }
  }
  flush();
  return entries;
}

function scriptResultText(output: OutputItem & { type: 'script_execution_output' }): string {
  if (output.success) return output.result;
  return `Error ${output.error?.code ?? 'SCRIPT_ERROR'}: ${output.error?.message ?? output.result}`;
}
