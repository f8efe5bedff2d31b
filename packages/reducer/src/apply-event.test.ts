import { ERROR_CODES } from '@cody/schema';
import { describe, expect, it } from 'vitest';
import { makeRun } from '../test/event-factory';
import { applyEvent } from './apply-event';
import { newId } from './new-id';
import { reduceEvents, reduceEventsToState } from './reduce-events';

describe('applyEvent', () => {
  it('builds a Response from start, item start, deltas, done and response_done', () => {
    const run = makeRun();
    const item = newId();
    const response = reduceEvents([
      run.start(),
      run.itemStart(item),
      run.delta(item, 'Hel'),
      run.delta(item, 'lo'),
      run.messageDone(item, 'Hello'),
      run.usage(10, 2),
      run.done(),
    ]);
    expect(response).toMatchObject({
      id: run.runId,
      turn_id: run.turnId,
      thread_id: run.threadId,
      status: 'complete',
      finish_reason: 'stop',
      usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
      output_items: [{ id: item, type: 'message', origin: 'agent', content: 'Hello' }],
    });
  });

  it('shows streamed text before item_done arrives', () => {
    const run = makeRun();
    const item = newId();
    const state = reduceEventsToState([
      run.start(),
      run.itemStart(item),
      run.delta(item, 'par'),
      run.delta(item, 'tial'),
    ]);
    expect(state?.response?.output_items[0]).toMatchObject({ content: 'partial' });
    expect(state?.itemStatus[item]).toBe('streaming');
  });

  it('appends deltas to the field of each item type', () => {
    const run = makeRun();
    const call = newId();
    const script = newId();
    const state = reduceEventsToState([
      run.start(),
      run.itemStart(call, 'function_call', { name: 'readFile', call_id: 'call_1' }),
      run.delta(call, '{"path":'),
      run.delta(call, '"a.txt"}'),
      run.itemStart(script, 'script_execution'),
      run.delta(script, 'return 1'),
    ]);
    expect(state?.response?.output_items).toMatchObject([
      { type: 'function_call', name: 'readFile', call_id: 'call_1', arguments: '{"path":"a.txt"}' },
      { type: 'script_execution', code: 'return 1' },
    ]);
  });

  describe('idempotency', () => {
    it('ignores an event id it has already applied', () => {
      const run = makeRun();
      const item = newId();
      const delta = run.delta(item, 'once');
      const response = reduceEvents([run.start(), run.itemStart(item), delta, delta, delta]);
      expect(response?.output_items[0]).toMatchObject({ content: 'once' });
    });

    it('keeps old states usable: applying to an earlier state does not see later ids', () => {
      const run = makeRun();
      const item = newId();
      const base = reduceEventsToState([run.start(), run.itemStart(item)]);
      const a = run.delta(item, 'A');
      const b = run.delta(item, 'B');
      const withA = applyEvent(base, a);
      const withB = applyEvent(base, b);
      expect(withA.response?.output_items[0]).toMatchObject({ content: 'A' });
      expect(withB.response?.output_items[0]).toMatchObject({ content: 'B' });
      expect(applyEvent(withB, a).response?.output_items[0]).toMatchObject({ content: 'BA' });
      expect(base?.response?.output_items[0]).toMatchObject({ content: '' });
    });
  });

  describe('sequence errors', () => {
    it('a delta for an item that never started ends the run in STREAM_SEQUENCE_ERROR', () => {
      const run = makeRun();
      const ghost = newId();
      const response = reduceEvents([run.start(), run.delta(ghost, 'x')]);
      expect(response?.status).toBe('error');
      expect(response?.error?.code).toBe(ERROR_CODES.STREAM_SEQUENCE_ERROR);
      expect(response?.error?.message).toContain('item_delta');
      expect(response?.error?.message).toContain(ghost);
    });

    it('item_done for an item that never started is a sequence error', () => {
      const run = makeRun();
      const ghost = newId();
      const response = reduceEvents([run.start(), run.messageDone(ghost, 'x')]);
      expect(response?.error?.code).toBe(ERROR_CODES.STREAM_SEQUENCE_ERROR);
      expect(response?.output_items).toEqual([]);
    });

    it('drops the half-built item and ignores later item events', () => {
      const run = makeRun();
      const finished = newId();
      const open = newId();
      const later = newId();
      const response = reduceEvents([
        run.start(),
        run.itemStart(finished),
        run.messageDone(finished, 'kept'),
        run.itemStart(open),
        run.delta(open, 'half'),
        run.delta(newId(), 'out of order'),
        run.itemStart(later),
        run.delta(later, 'ignored'),
        run.done(),
      ]);
      expect(response?.status).toBe('error');
      expect(response?.output_items).toEqual([
        { id: finished, type: 'message', origin: 'agent', content: 'kept' },
      ]);
    });

    it('an event before response_start is a sequence error carried on the state', () => {
      const run = makeRun();
      const item = newId();
      const state = reduceEventsToState([run.itemStart(item), run.start()]);
      expect(state?.response).toBeUndefined();
      expect(state?.error?.code).toBe(ERROR_CODES.STREAM_SEQUENCE_ERROR);
      expect(state?.error?.message).toContain('before response_start');
    });
  });

  describe('terminal states stick', () => {
    it('a response_done after an error does not make the run complete', () => {
      const run = makeRun();
      const response = reduceEvents([
        run.start(),
        run.failed('PROVIDER_OVERLOADED', 'overloaded'),
        run.done(),
      ]);
      expect(response?.status).toBe('error');
      expect(response?.error).toEqual({ code: 'PROVIDER_OVERLOADED', message: 'overloaded' });
      expect(response?.finish_reason).toBe('error');
    });

    it('a response_done after an abort does not make the run complete', () => {
      const run = makeRun();
      const item = newId();
      const state = reduceEventsToState([
        run.start(),
        run.itemStart(item),
        run.delta(item, 'par'),
        run.aborted(),
        run.done(),
      ]);
      expect(state?.response?.status).toBe('aborted');
      expect(state?.response?.finish_reason).toBe('aborted');
      expect(state?.itemStatus[item]).toBe('cancelled');
    });

    it('item events after completion change nothing', () => {
      const run = makeRun();
      const item = newId();
      const response = reduceEvents([run.start(), run.done(), run.itemStart(item), run.delta(item, 'late')]);
      expect(response?.output_items).toEqual([]);
      expect(response?.status).toBe('complete');
    });
  });

  describe('invalid events', () => {
    it('an item event without item_id becomes a response error naming the field', () => {
      const run = makeRun();
      const bad = run.delta(newId(), 'x') as { payload: Record<string, unknown> };
      delete bad.payload.item_id;
      const response = reduceEvents([run.start(), bad]);
      expect(response?.status).toBe('error');
      expect(response?.error?.code).toBe(ERROR_CODES.INVALID_EVENT);
      expect(response?.error?.message).toContain('payload.item_id: Required');
    });

    it('never throws on garbage', () => {
      const run = makeRun();
      for (const garbage of [
        null,
        undefined,
        42,
        'text',
        [],
        {},
        { payload: null },
        { type: 'item_delta' },
      ]) {
        expect(() => applyEvent(reduceEventsToState([run.start()]), garbage)).not.toThrow();
      }
    });

    it('a type that disagrees with payload.type is named', () => {
      const run = makeRun();
      const bad = { ...run.start(), type: 'item_start' };
      const state = applyEvent(undefined, bad);
      expect(state.error?.message).toContain('type: must equal payload.type');
    });

    it('a function_call start without its call_id is named', () => {
      const run = makeRun();
      const response = reduceEvents([run.start(), run.itemStart(newId(), 'function_call', { name: 'exec' })]);
      expect(response?.error?.message).toContain('payload.call_id');
    });
  });

  it('item_error keeps the partial item and response_error closes the rest', () => {
    const run = makeRun();
    const a = newId();
    const b = newId();
    const state = reduceEventsToState([
      run.start(),
      run.itemStart(a),
      run.delta(a, 'partial'),
      run.event({
        type: 'item_error',
        item_id: a,
        error: { code: 'PROVIDER_OVERLOADED', message: 'overloaded' },
      }),
      run.itemStart(b),
      run.failed('PROVIDER_OVERLOADED'),
    ]);
    expect(state?.response?.output_items.map((item) => item.id)).toEqual([a, b]);
    expect(state?.response?.output_items[0]).toMatchObject({ content: 'partial' });
    expect(state?.itemStatus).toEqual({ [a]: 'error', [b]: 'error' });
    expect(state?.response?.status).toBe('error');
  });

  it('ignores heartbeats and repeated response_start', () => {
    const run = makeRun();
    const start = run.start();
    const response = reduceEvents([start, run.event({ type: 'heartbeat' }), run.start(), run.done()]);
    expect(response?.status).toBe('complete');
    expect(response?.updated_at).toBeGreaterThan(start.timestamp);
  });
});
