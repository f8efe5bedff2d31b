import type { ProviderData, ReasoningItem } from '@cody/schema';

/** What OpenAI needs back to continue from a reasoning item (stateless, `store: false`). */
export interface OpenAIReasoningData {
  provider: 'openai';
  encrypted_content?: string;
  /** The provider's item id (`rs_…`), kept for tracing; not sent back. */
  item_id?: string;
}

/** What Anthropic needs back: the thinking signature, or a redacted block's opaque data. */
export interface AnthropicThinkingData {
  provider: 'anthropic';
  signature?: string;
  redacted_data?: string;
}

/** Drops undefined fields so the data passes the strict schema and stays compact. */
export function toProviderData(data: OpenAIReasoningData | AnthropicThinkingData): ProviderData {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
}

export function openAIReasoningData(item: ReasoningItem): OpenAIReasoningData | undefined {
  const data = item.provider_data;
  if (data?.provider !== 'openai') return undefined;
  const result: OpenAIReasoningData = { provider: 'openai' };
  if (typeof data.encrypted_content === 'string') result.encrypted_content = data.encrypted_content;
  if (typeof data.item_id === 'string') result.item_id = data.item_id;
  return result;
}

export function anthropicThinkingData(item: ReasoningItem): AnthropicThinkingData | undefined {
  const data = item.provider_data;
  if (data?.provider !== 'anthropic') return undefined;
  const result: AnthropicThinkingData = { provider: 'anthropic' };
  if (typeof data.signature === 'string') result.signature = data.signature;
  if (typeof data.redacted_data === 'string') result.redacted_data = data.redacted_data;
  return result;
}
