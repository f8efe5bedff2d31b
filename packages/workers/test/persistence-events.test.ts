import { randomUUID } from 'node:crypto';
import { applyEvent, reduceEventsToState } from '@cody/reducer';
import type { StreamEvent } from '@cody/schema';
import { describe, expect, it } from 'vitest';
import { closingEvents } from '../src/persistence/closing-events';
import { restoreEvents } from '../src/persistence/restore-events';
import { RunBuilder } from './persistence-helpers';

function sampleRun() {
  const run = new RunBuilder(randomUUID());
  const done = randomUUID();
  const open = randomUUID();
  const call = randomUUID();
  const script = randomUUID();
  const events: StreamEvent[] = [
    ...run.opening('question'),
    run.messageStart(done),
    run.delta(done, 'fin'),
    run.messageDone(done, 'finished'),
    run.event({
      type: 'item_start',
      item_id: call,
      item_type: 'function_call',
      name: 'readFile',
      call_id: 'call_1',
    }),
    run.event({ type: 'item_delta', item_id: call, delta_content: '{"path":' }),
    run.event({ type: 'item_start', item_id: script, item_type: 'script_execution', origin: 'agent' }),
    run.event({ type: 'item_delta', item_id: script, delta_content: 'return 1' }),
    run.messageStart(open),
    run.delta(open, 'half an ans'),
    run.event({
      type: 'usage_update',
      response_id: run.runId,
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    }),
  ];
  return { run, events, open, call };
}

describe('restoreEvents', () => {
  it('reduces to the same Response and keeps open items open', () => {
    const { run, events, open, call } = sampleRun();
    const state = reduceEventsToState(events);
    const restored = restoreEvents(state);
    const rebuilt = reduceEventsToState(restored);
    expect(rebuilt?.response).toEqual(state?.response);
    expect(rebuilt?.itemStatus[open]).toBe('streaming');
    expect(rebuilt?.itemStatus[call]).toBe('streaming');
    // a delta after the restore lands where it would have landed in the original stream
    const next = run.delta(open, 'wer');
    expect(applyEvent(rebuilt, next).response).toEqual(applyEvent(state, next).response);
    expect(restored.every((event) => event.run_id === run.runId)).toBe(true);
  });

  it('is empty for a run that never started', () => {
    expect(restoreEvents(undefined)).toEqual([]);
  });
});

describe('closingEvents', () => {
  it('errors every open item, then the run, keeping their content', () => {
    const { run, events, open, call } = sampleRun();
    const state = reduceEventsToState(events);
    const closing = closingEvents(run.runId, state, { code: 'RUN_OWNER_LOST', message: 'gone' });
    expect(closing.map((event) => event.type)).toEqual([
      'item_error',
      'item_error',
      'item_error',
      'response_error',
    ]);
    const ended = reduceEventsToState(closing, state);
    expect(ended?.response?.status).toBe('error');
    expect(ended?.response?.error).toEqual({ code: 'RUN_OWNER_LOST', message: 'gone' });
    expect(ended?.itemStatus[open]).toBe('error');
    expect(ended?.itemStatus[call]).toBe('error');
    expect(ended?.response?.output_items).toEqual(state?.response?.output_items);
  });
});
