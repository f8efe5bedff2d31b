import { randomUUID } from 'node:crypto';
import type { Logger } from './logger';
import { mapOpenAIFinishReason } from './map-openai-finish-reason';
import { mapOpenAIUsage } from './map-openai-usage';
import type { ProviderPart } from './model-provider';
import { OPENAI_EVENT_SCHEMAS, type OpenAIEvent, type OpenAIOutputItem } from './openai-wire-schemas';
import { toProviderData } from './reasoning-provider-data';
import type { StreamMapper } from './stream-mapper';
import { connectionLost, providerErrorFromEvent } from './to-provider-error';

interface OpenItem {
  key: string;
  kind: 'message' | 'reasoning' | 'function_call';
  /** Messages start at their first text, so an empty message never becomes an item. */
  started: boolean;
  text: string;
  name?: string;
  callId?: string;
  summaryIndex?: number | null;
}

const TRACKED = new Set(['message', 'reasoning', 'function_call']);

/** Maps OpenAI Responses stream events to provider parts (SPEC §6). Unknown events are ignored. */
export function createOpenAIStreamMapper(logger: Logger): StreamMapper {
  const byId = new Map<string, OpenItem>();
  const byIndex = new Map<number, OpenItem>();
  let finished = false;
  let calledTools = false;
  let refused = false;
  let counter = 0;

  const find = (itemId: string | null | undefined, outputIndex: number | null | undefined) =>
    (itemId ? byId.get(itemId) : undefined) ??
    (typeof outputIndex === 'number' ? byIndex.get(outputIndex) : undefined);

  const open = (
    item: OpenAIOutputItem,
    outputIndex: number | null | undefined,
    parts: ProviderPart[],
  ): OpenItem => {
    const entry: OpenItem = {
      key: `${item.type}:${counter++}`,
      kind: item.type as OpenItem['kind'],
      started: false,
      text: '',
    };
    if (item.id) byId.set(item.id, entry);
    if (typeof outputIndex === 'number') byIndex.set(outputIndex, entry);
    if (entry.kind === 'reasoning') {
      entry.started = true;
      parts.push({ type: 'item_start', key: entry.key, item_type: 'reasoning' });
    } else if (entry.kind === 'function_call') {
      calledTools = true;
      entry.started = true;
      entry.name = item.name ?? '';
      entry.callId = item.call_id ?? item.id ?? `call_${randomUUID()}`;
      parts.push({
        type: 'item_start',
        key: entry.key,
        item_type: 'function_call',
        name: entry.name,
        call_id: entry.callId,
      });
      if (item.arguments) appendText(entry, item.arguments, parts);
    }
    return entry;
  };

  const appendText = (entry: OpenItem, delta: string, parts: ProviderPart[]) => {
    if (delta === '') return;
    if (!entry.started) {
      entry.started = true;
      parts.push({ type: 'item_start', key: entry.key, item_type: 'message' });
    }
    entry.text += delta;
    parts.push({ type: 'item_delta', key: entry.key, delta_content: delta });
  };

  const close = (entry: OpenItem, item: OpenAIOutputItem | undefined, parts: ProviderPart[]) => {
    for (const [id, value] of byId) if (value === entry) byId.delete(id);
    for (const [index, value] of byIndex) if (value === entry) byIndex.delete(index);
    if (entry.kind === 'message') {
      const finalText = item?.content?.map((part) => part.text ?? part.refusal ?? '').join('') || entry.text;
      if (item?.content?.some((part) => part.type === 'refusal')) refused = true;
      if (finalText === '') return;
      if (!entry.started) parts.push({ type: 'item_start', key: entry.key, item_type: 'message' });
      parts.push({
        type: 'item_done',
        key: entry.key,
        final_item: { type: 'message', origin: 'agent', content: finalText },
      });
    } else if (entry.kind === 'reasoning') {
      const summary = (item?.summary ?? []).map((part) => part.text ?? '').filter((part) => part !== '');
      const providerData = toProviderData({
        provider: 'openai',
        encrypted_content: item?.encrypted_content ?? undefined,
        item_id: item?.id ?? undefined,
      });
      parts.push({
        type: 'item_done',
        key: entry.key,
        final_item: {
          type: 'reasoning',
          origin: 'agent',
          content: summary.length > 0 ? summary.join('\n\n') : entry.text,
          provider_data: providerData,
        },
      });
    } else {
      parts.push({
        type: 'item_done',
        key: entry.key,
        final_item: {
          type: 'function_call',
          origin: 'agent',
          name: item?.name || entry.name || '',
          call_id: item?.call_id || (entry.callId as string),
          arguments: item?.arguments ?? entry.text,
        },
      });
    }
  };

  const closeAll = (parts: ProviderPart[]) => {
    for (const entry of new Set([...byId.values(), ...byIndex.values()])) close(entry, undefined, parts);
  };

  const handle = (event: OpenAIEvent): ProviderPart[] => {
    const parts: ProviderPart[] = [];
    switch (event.type) {
      case 'response.created': {
        const start: ProviderPart = { type: 'call_start' };
        if (event.response.id) start.provider_response_id = event.response.id;
        if (event.response.model) start.model = event.response.model;
        parts.push(start);
        break;
      }
      case 'response.output_item.added':
        if (TRACKED.has(event.item.type)) open(event.item, event.output_index, parts);
        break;
      case 'response.output_item.done': {
        if (!TRACKED.has(event.item.type)) break;
        const entry = find(event.item.id, event.output_index) ?? open(event.item, event.output_index, parts);
        close(entry, event.item, parts);
        break;
      }
      case 'response.output_text.delta':
      case 'response.refusal.delta': {
        const entry = find(event.item_id, event.output_index);
        if (entry?.kind !== 'message') break;
        if (event.type === 'response.refusal.delta') refused = true;
        appendText(entry, event.delta ?? '', parts);
        break;
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        const entry = find(event.item_id, event.output_index);
        const delta = event.delta ?? '';
        if (entry?.kind !== 'reasoning' || delta === '') break;
        // summary parts are joined with a blank line
        const index = event.summary_index ?? null;
        const separator = entry.text !== '' && index !== entry.summaryIndex ? '\n\n' : '';
        entry.summaryIndex = index;
        entry.text += separator + delta;
        parts.push({ type: 'item_delta', key: entry.key, delta_content: separator + delta });
        break;
      }
      case 'response.function_call_arguments.delta': {
        const entry = find(event.item_id, event.output_index);
        if (entry?.kind !== 'function_call' || !event.delta) break;
        entry.text += event.delta;
        parts.push({ type: 'item_delta', key: entry.key, delta_content: event.delta });
        break;
      }
      case 'response.completed':
      case 'response.incomplete': {
        closeAll(parts);
        if (event.response.usage) parts.push({ type: 'usage', usage: mapOpenAIUsage(event.response.usage) });
        const status = event.type === 'response.completed' ? 'completed' : 'incomplete';
        const incompleteReason = event.response.incomplete_details?.reason;
        parts.push({
          type: 'finish',
          finish_reason: mapOpenAIFinishReason(status, { incompleteReason, calledTools, refused }),
          provider_reason: incompleteReason ? `${status}:${incompleteReason}` : status,
        });
        finished = true;
        break;
      }
      case 'response.failed': {
        const error = event.response.error;
        throw providerErrorFromEvent('openai', {
          code: error?.code ?? undefined,
          message: error?.message ?? undefined,
        });
      }
      case 'error': {
        const nested = event.error;
        throw providerErrorFromEvent('openai', {
          type: nested?.type ?? undefined,
          code: event.code ?? nested?.code ?? undefined,
          message: event.message ?? nested?.message ?? undefined,
        });
      }
    }
    return parts;
  };

  return {
    map(raw) {
      if (finished || typeof raw !== 'object' || raw === null) return [];
      const type = (raw as { type?: unknown }).type;
      if (typeof type !== 'string' || !Object.hasOwn(OPENAI_EVENT_SCHEMAS, type)) return [];
      const parsed = OPENAI_EVENT_SCHEMAS[type as OpenAIEvent['type']].safeParse(raw);
      if (!parsed.success) {
        logger.warn(
          { provider: 'openai', event: type, issues: parsed.error.issues },
          'ignored a malformed provider event',
        );
        return [];
      }
      return handle({ ...parsed.data, type } as OpenAIEvent);
    },
    end() {
      if (!finished) throw connectionLost('openai', 'the stream ended before response.completed');
      return [];
    },
  };
}
