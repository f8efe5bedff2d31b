import type { ContentBlockParam, MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import type { OutputItem } from '@cody/schema';
import { normalizeHistory } from './normalize-history';
import { anthropicThinkingData } from './reasoning-provider-data';

export interface AnthropicConversation {
  /** System messages of the history (the request's own instructions come first). */
  system: string[];
  messages: MessageParam[];
}

function parseInput(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // arguments cut off (max_tokens) are not JSON; the call still has to be replayed
  }
  return {};
}

/**
 * History → Messages `messages`: thinking and redacted_thinking blocks go back with their
 * signature/data (only Anthropic's own), tool_use in the assistant turn, tool_result blocks
 * in the next user turn, consecutive same-role turns merged, empty text left out.
 */
export function toAnthropicMessages(history: readonly OutputItem[]): AnthropicConversation {
  const system: string[] = [];
  const messages: MessageParam[] = [];
  const push = (role: 'user' | 'assistant', block: ContentBlockParam) => {
    const last = messages.at(-1);
    if (last && last.role === role) (last.content as ContentBlockParam[]).push(block);
    else messages.push({ role, content: [block] });
  };

  for (const entry of normalizeHistory(history)) {
    switch (entry.kind) {
      case 'message':
        if (entry.role === 'system') system.push(entry.text);
        else push(entry.role, { type: 'text', text: entry.text });
        break;
      case 'reasoning': {
        const data = anthropicThinkingData(entry.item);
        if (data?.redacted_data) push('assistant', { type: 'redacted_thinking', data: data.redacted_data });
        else if (data?.signature)
          push('assistant', { type: 'thinking', thinking: entry.item.content, signature: data.signature });
        break;
      }
      case 'call':
        push('assistant', {
          type: 'tool_use',
          id: entry.callId,
          name: entry.name,
          input: parseInput(entry.arguments),
        });
        break;
      case 'output':
        push('user', {
          type: 'tool_result',
          tool_use_id: entry.callId,
          content: entry.output === '' ? '(no output)' : entry.output,
          ...(entry.success ? {} : { is_error: true }),
        });
        break;
    }
  }
  return { system, messages };
}

/**
 * With thinking on, Anthropic wants the assistant turn before the latest tool results to start
 * with a thinking block; when the model skipped thinking there, the call must go without it.
 */
export function canContinueWithThinking(messages: readonly MessageParam[]): boolean {
  const last = messages.at(-1);
  const isToolResults =
    last?.role === 'user' &&
    Array.isArray(last.content) &&
    last.content.some((block) => block.type === 'tool_result');
  if (!isToolResults) return true;
  const assistant = messages.at(-2);
  const first = assistant && Array.isArray(assistant.content) ? assistant.content[0] : undefined;
  return first?.type === 'thinking' || first?.type === 'redacted_thinking';
}
