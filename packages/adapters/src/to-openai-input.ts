import type { OutputItem } from '@cody/schema';
import type { ResponseInputItem } from 'openai/resources/responses/responses';
import { normalizeHistory } from './normalize-history';
import { openAIReasoningData } from './reasoning-provider-data';

/**
 * History → Responses `input` items for a stateless call (`store: false`): reasoning goes back
 * with its `encrypted_content` (reasoning without it, or from another provider, is left out),
 * calls and outputs by `call_id`. Item ids are not sent: with `store: false` the API cannot
 * resolve them.
 */
export function toOpenAIInput(history: readonly OutputItem[]): ResponseInputItem[] {
  const input: ResponseInputItem[] = [];
  for (const entry of normalizeHistory(history)) {
    switch (entry.kind) {
      case 'message':
        if (entry.role === 'user') {
          input.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text: entry.text }] });
        } else {
          input.push({
            type: 'message',
            role: entry.role === 'system' ? 'developer' : 'assistant',
            content: entry.text,
          });
        }
        break;
      case 'reasoning': {
        const data = openAIReasoningData(entry.item);
        if (!data?.encrypted_content) break;
        const summary = entry.item.content
          ? [{ type: 'summary_text' as const, text: entry.item.content }]
          : [];
        // the SDK type wants the item id, which a stateless request must not send
        input.push({
          type: 'reasoning',
          summary,
          encrypted_content: data.encrypted_content,
        } as unknown as ResponseInputItem);
        break;
      }
      case 'call':
        input.push({
          type: 'function_call',
          call_id: entry.callId,
          name: entry.name,
          arguments: entry.arguments,
        });
        break;
      case 'output':
        input.push({
          type: 'function_call_output',
          call_id: entry.callId,
          output: entry.success || entry.output.startsWith('Error') ? entry.output : `Error: ${entry.output}`,
        });
        break;
    }
  }
  return input;
}
