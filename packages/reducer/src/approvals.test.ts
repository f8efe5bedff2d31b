import { ERROR_CODES, type FunctionCallItem } from '@cody/schema';
import { describe, expect, it } from 'vitest';
import { makeRun } from '../test/event-factory';
import { newId } from './new-id';
import { reduceEvents, reduceEventsToState } from './reduce-events';
import { replayEvents } from './replay-events';

function callRun() {
  const run = makeRun();
  const item = newId();
  const call: FunctionCallItem = {
    id: item,
    type: 'function_call',
    origin: 'agent',
    name: 'exec',
    arguments: '{"command":"touch x"}',
    call_id: 'call_1',
  };
  const opened = [
    run.start(),
    run.itemStart(item, 'function_call', { name: 'exec', call_id: 'call_1' }),
    run.event({ type: 'item_done', item_id: item, final_item: call }),
  ];
  const requested = (expires?: number) =>
    run.event({
      type: 'approval_requested',
      item_id: item,
      call_id: 'call_1',
      tool: 'exec',
      ...(expires === undefined ? {} : { expires_at: expires }),
    });
  const decided = (decision: 'approved' | 'denied', reason?: string, callId = 'call_1') =>
    run.event({
      type: 'approval_decided',
      item_id: item,
      call_id: callId,
      decision,
      ...(reason === undefined ? {} : { reason }),
      decided_by: 'user',
    });
  return { run, item, opened, requested, decided };
}

const firstCall = (events: Parameters<typeof reduceEvents>[0]) =>
  reduceEvents(events)?.output_items[0] as FunctionCallItem;

describe('approvals', () => {
  it('a request marks the call pending, with its expiry', () => {
    const { opened, requested } = callRun();
    expect(firstCall([...opened, requested(1_800_000_000_000)]).approval).toEqual({
      status: 'pending',
      expires_at: 1_800_000_000_000,
    });
  });

  it('a decision turns a pending call approved or denied, with the reason and who decided', () => {
    const { opened, requested, decided } = callRun();
    expect(firstCall([...opened, requested(), decided('approved')]).approval).toEqual({
      status: 'approved',
      decided_by: 'user',
    });
    expect(firstCall([...opened, requested(), decided('denied', 'not that')]).approval).toEqual({
      status: 'denied',
      reason: 'not that',
      decided_by: 'user',
    });
  });

  it('the first decision sticks and a repeated request does not reopen it', () => {
    const { opened, requested, decided } = callRun();
    const approval = firstCall([
      ...opened,
      requested(),
      decided('denied', 'no'),
      decided('approved'),
      requested(),
    ]).approval;
    expect(approval).toEqual({ status: 'denied', reason: 'no', decided_by: 'user' });
  });

  it('a decision without a request, or for another call id, changes nothing', () => {
    const { opened, requested, decided } = callRun();
    expect(firstCall([...opened, decided('approved')]).approval).toBeUndefined();
    expect(firstCall([...opened, requested(), decided('approved', undefined, 'call_2')]).approval).toEqual({
      status: 'pending',
    });
  });

  it('an approval event for an item that never started is a sequence error', () => {
    const { run } = callRun();
    const response = reduceEvents([
      run.start(),
      run.event({ type: 'approval_requested', item_id: newId(), call_id: 'call_9', tool: 'exec' }),
    ]);
    expect(response?.status).toBe('error');
    expect(response?.error?.code).toBe(ERROR_CODES.STREAM_SEQUENCE_ERROR);
  });

  it('a call still streaming its arguments is not asked for', () => {
    const { run, item } = callRun();
    const state = reduceEventsToState([
      run.start(),
      run.itemStart(item, 'function_call', { name: 'exec', call_id: 'call_1' }),
      run.event({ type: 'approval_requested', item_id: item, call_id: 'call_1', tool: 'exec' }),
    ]);
    const call = state?.response?.output_items[0] as FunctionCallItem | undefined;
    expect(call?.type).toBe('function_call');
    expect(call?.approval).toBeUndefined();
    expect(state?.response?.status).toBe('in_progress');
  });

  it('after the run ended, approval events change nothing', () => {
    const { run, opened, requested } = callRun();
    expect(firstCall([...opened, run.aborted(), requested()]).approval).toBeUndefined();
  });

  it('a snapshot with a pending or decided approval replays to the same Response', () => {
    const { opened, requested, decided } = callRun();
    const pending = reduceEvents([...opened, requested(5)]);
    const denied = reduceEvents([...opened, requested(), decided('denied', 'why')]);
    for (const snapshot of [pending, denied]) {
      if (!snapshot) throw new Error('no snapshot');
      expect(reduceEvents(replayEvents(snapshot))).toEqual(snapshot);
    }
  });

  it('streams without approval events stay valid and carry no approval', () => {
    const { opened } = callRun();
    expect(firstCall(opened).approval).toBeUndefined();
  });
});
