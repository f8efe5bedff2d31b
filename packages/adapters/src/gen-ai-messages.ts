import type { OutputItem } from '@cody/schema';

/** A message part as the OpenTelemetry GenAI semantic conventions describe it (gen_ai.*.messages). */
export type GenAiPart =
  | { type: 'text'; content: string }
  | { type: 'reasoning'; content: string }
  | { type: 'tool_call'; id: string; name: string; arguments: unknown }
  | { type: 'tool_call_response'; id: string; response: unknown };

export interface GenAiMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  parts: GenAiPart[];
  finish_reason?: string;
}

/**
 * Cody's items as GenAI convention messages: user/system text, the assistant's reasoning, text
 * and tool calls (consecutive ones in one message), tool results as `tool` messages. Scripts
 * appear as the `runScript` call and its result; error items are left out.
 */
export function toGenAiMessages(items: readonly OutputItem[]): GenAiMessage[] {
  const messages: GenAiMessage[] = [];
  const push = (role: GenAiMessage['role'], part: GenAiPart) => {
    const last = messages.at(-1);
    if (last && last.role === role && role !== 'user') last.parts.push(part);
    else messages.push({ role, parts: [part] });
  };
  for (const item of items) {
    switch (item.type) {
      case 'message':
        push(item.origin === 'agent' ? 'assistant' : item.origin, { type: 'text', content: item.content });
        break;
      case 'reasoning':
        push('assistant', { type: 'reasoning', content: item.content });
        break;
      case 'function_call':
        push('assistant', {
          type: 'tool_call',
          id: item.call_id,
          name: item.name,
          arguments: parsed(item.arguments),
        });
        break;
      case 'function_call_output':
        push('tool', { type: 'tool_call_response', id: item.call_id, response: item.output });
        break;
      case 'script_execution_output':
        push('tool', { type: 'tool_call_response', id: item.script_id, response: item.result });
        break;
      default:
        break;
    }
  }
  return messages;
}

/** Arguments as JSON when they are JSON (the model's own text otherwise). */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
