import { ANTHROPIC_EVENT_SCHEMAS, type AnthropicEvent, type AnthropicUsage } from './anthropic-wire-schemas';
import type { Logger } from './logger';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason';
import { mapAnthropicUsage } from './map-anthropic-usage';
import type { ProviderPart } from './model-provider';
import { toProviderData } from './reasoning-provider-data';
import type { StreamMapper } from './stream-mapper';
import { connectionLost, providerErrorFromEvent } from './to-provider-error';

type Block =
  | { kind: 'text' }
  | { kind: 'thinking'; key: string; text: string; signature: string }
  | { kind: 'redacted'; key: string; data: string }
  | { kind: 'tool_use'; key: string; name: string; callId: string; json: string; initial: string }
  | { kind: 'ignored' };

/**
 * Maps Anthropic Messages stream events to provider parts (SPEC §6). Consecutive text blocks
 * (citations split text into many) form one message item, closed by the next non-text block
 * or the end; ping and unknown block or delta types are ignored.
 */
export function createAnthropicStreamMapper(logger: Logger): StreamMapper {
  const blocks = new Map<number, Block>();
  let message: { key: string; text: string } | undefined;
  let usage: AnthropicUsage = {};
  let stopReason: string | null | undefined;
  let finished = false;
  let counter = 0;

  const closeMessage = (parts: ProviderPart[]) => {
    if (!message) return;
    parts.push({
      type: 'item_done',
      key: message.key,
      final_item: { type: 'message', origin: 'agent', content: message.text },
    });
    message = undefined;
  };

  const appendText = (text: string, parts: ProviderPart[]) => {
    if (text === '') return;
    if (!message) {
      message = { key: `message:${counter++}`, text: '' };
      parts.push({ type: 'item_start', key: message.key, item_type: 'message' });
    }
    message.text += text;
    parts.push({ type: 'item_delta', key: message.key, delta_content: text });
  };

  const closeBlock = (block: Block, parts: ProviderPart[]) => {
    if (block.kind === 'thinking') {
      parts.push({
        type: 'item_done',
        key: block.key,
        final_item: {
          type: 'reasoning',
          origin: 'agent',
          content: block.text,
          provider_data: toProviderData({ provider: 'anthropic', signature: block.signature || undefined }),
        },
      });
    } else if (block.kind === 'redacted') {
      parts.push({
        type: 'item_done',
        key: block.key,
        final_item: {
          type: 'reasoning',
          origin: 'agent',
          content: '',
          provider_data: toProviderData({ provider: 'anthropic', redacted_data: block.data }),
        },
      });
    } else if (block.kind === 'tool_use') {
      parts.push({
        type: 'item_done',
        key: block.key,
        final_item: {
          type: 'function_call',
          origin: 'agent',
          name: block.name,
          call_id: block.callId,
          arguments: block.json || block.initial || '{}',
        },
      });
    }
  };

  const handle = (event: AnthropicEvent): ProviderPart[] => {
    const parts: ProviderPart[] = [];
    switch (event.type) {
      case 'message_start': {
        usage = event.message.usage ?? {};
        const start: ProviderPart = { type: 'call_start' };
        if (event.message.id) start.provider_response_id = event.message.id;
        if (event.message.model) start.model = event.message.model;
        parts.push(start);
        break;
      }
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text') {
          blocks.set(event.index, { kind: 'text' });
          appendText(block.text ?? '', parts);
          break;
        }
        closeMessage(parts);
        const key = `${block.type}:${counter++}`;
        if (block.type === 'thinking') {
          blocks.set(event.index, {
            kind: 'thinking',
            key,
            text: block.thinking ?? '',
            signature: block.signature ?? '',
          });
          parts.push({ type: 'item_start', key, item_type: 'reasoning' });
          if (block.thinking) parts.push({ type: 'item_delta', key, delta_content: block.thinking });
        } else if (block.type === 'redacted_thinking') {
          blocks.set(event.index, { kind: 'redacted', key, data: block.data ?? '' });
          parts.push({ type: 'item_start', key, item_type: 'reasoning' });
        } else if (block.type === 'tool_use') {
          const input = block.input;
          const initial =
            typeof input === 'object' && input !== null && Object.keys(input).length > 0
              ? JSON.stringify(input)
              : '';
          const callId = block.id ?? key;
          const name = block.name ?? '';
          blocks.set(event.index, { kind: 'tool_use', key, name, callId, json: '', initial });
          parts.push({ type: 'item_start', key, item_type: 'function_call', name, call_id: callId });
        } else {
          // server tools, their results and block types added later
          blocks.set(event.index, { kind: 'ignored' });
        }
        break;
      }
      case 'content_block_delta': {
        const block = blocks.get(event.index);
        const delta = event.delta;
        if (!block) break;
        if (block.kind === 'text' && delta.type === 'text_delta') {
          appendText(delta.text ?? '', parts);
        } else if (block.kind === 'thinking' && delta.type === 'thinking_delta' && delta.thinking) {
          block.text += delta.thinking;
          parts.push({ type: 'item_delta', key: block.key, delta_content: delta.thinking });
        } else if (block.kind === 'thinking' && delta.type === 'signature_delta') {
          block.signature += delta.signature ?? '';
        } else if (block.kind === 'tool_use' && delta.type === 'input_json_delta' && delta.partial_json) {
          block.json += delta.partial_json;
          parts.push({ type: 'item_delta', key: block.key, delta_content: delta.partial_json });
        }
        break;
      }
      case 'content_block_stop': {
        const block = blocks.get(event.index);
        blocks.delete(event.index);
        if (block) closeBlock(block, parts);
        break;
      }
      case 'message_delta':
        if (event.delta?.stop_reason !== undefined) stopReason = event.delta.stop_reason;
        // message_delta usage is cumulative: overwrite what message_start said
        for (const [field, value] of Object.entries(event.usage ?? {})) {
          if (value !== null && value !== undefined) (usage as Record<string, unknown>)[field] = value;
        }
        break;
      case 'message_stop':
        closeMessage(parts);
        for (const block of blocks.values()) closeBlock(block, parts);
        blocks.clear();
        parts.push({ type: 'usage', usage: mapAnthropicUsage(usage) });
        parts.push({
          type: 'finish',
          finish_reason: mapAnthropicStopReason(stopReason),
          ...(stopReason ? { provider_reason: stopReason } : {}),
        });
        finished = true;
        break;
      case 'error':
        throw providerErrorFromEvent('anthropic', {
          type: event.error?.type ?? undefined,
          message: event.error?.message ?? undefined,
        });
    }
    return parts;
  };

  return {
    map(raw) {
      if (finished || typeof raw !== 'object' || raw === null) return [];
      const type = (raw as { type?: unknown }).type;
      if (typeof type !== 'string' || !Object.hasOwn(ANTHROPIC_EVENT_SCHEMAS, type)) return [];
      const parsed = ANTHROPIC_EVENT_SCHEMAS[type as AnthropicEvent['type']].safeParse(raw);
      if (!parsed.success) {
        logger.warn(
          { provider: 'anthropic', event: type, issues: parsed.error.issues },
          'ignored a malformed provider event',
        );
        return [];
      }
      return handle({ ...parsed.data, type } as AnthropicEvent);
    },
    end() {
      if (!finished) throw connectionLost('anthropic', 'the stream ended before message_stop');
      return [];
    },
  };
}
