import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors/validation-error';
import { parseStreamEvent, safeParseStreamEvent } from './parse-stream-event';

const envelope = {
  event_id: '7d3f6f9e-4d2a-4c1b-9b1e-1f2a3b4c5d6e',
  timestamp: 1_700_000_000_000,
  trace_context: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  run_id: '0b9d1d3e-6f3a-4a8b-8d2c-3e4f5a6b7c8d',
};
const itemId = '5c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

describe('StreamEvent validation', () => {
  it('accepts a valid delta', () => {
    const event = parseStreamEvent({
      ...envelope,
      type: 'item_delta',
      payload: { type: 'item_delta', item_id: itemId, delta_content: 'x' },
    });
    expect(event.payload.type).toBe('item_delta');
  });

  it('names a missing field with its path', () => {
    const result = safeParseStreamEvent({
      ...envelope,
      type: 'item_delta',
      payload: { type: 'item_delta', delta_content: 'x' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe('payload.item_id: Required');
    expect(result.error.code).toBe('INVALID_EVENT');
    expect(ValidationError.isInstance(result.error)).toBe(true);
  });

  it('names an unknown payload type', () => {
    const result = safeParseStreamEvent({ ...envelope, type: 'nope', payload: { type: 'nope' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain('payload.type');
  });

  it('rejects unknown fields in our own protocol (strict)', () => {
    const result = safeParseStreamEvent({
      ...envelope,
      type: 'heartbeat',
      payload: { type: 'heartbeat', extra: 1 },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain('extra');
  });

  it('requires final_item.id to match item_id', () => {
    expect(() =>
      parseStreamEvent({
        ...envelope,
        type: 'item_done',
        payload: {
          type: 'item_done',
          item_id: itemId,
          final_item: { id: envelope.event_id, type: 'message', origin: 'agent', content: '' },
        },
      }),
    ).toThrow('payload.final_item.id: must equal payload.item_id');
  });

  it('keeps provider-minted call ids as plain strings', () => {
    const event = parseStreamEvent({
      ...envelope,
      type: 'item_start',
      payload: {
        type: 'item_start',
        item_id: itemId,
        item_type: 'function_call',
        name: 'readFile',
        call_id: 'toolu_01AbC',
      },
    });
    expect(event.payload).toMatchObject({ call_id: 'toolu_01AbC' });
  });
});
