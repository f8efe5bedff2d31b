import { describe, expect, it } from 'vitest';
import { makeRun } from '../test/event-factory';
import { createHydrator } from './hydrator';
import { newId } from './new-id';
import { reduceEvents } from './reduce-events';

const sse = (id: string, event: unknown) => ({
  id,
  event: (event as { type: string }).type,
  data: JSON.stringify(event),
});

describe('createHydrator', () => {
  it('feeds SSE messages through the reducer and remembers the last event id', () => {
    const run = makeRun();
    const item = newId();
    const events = [
      run.start(),
      run.itemStart(item),
      run.delta(item, 'Hi'),
      run.messageDone(item, 'Hi'),
      run.done(),
    ];
    const hydrator = createHydrator();
    events.forEach((event, i) => {
      hydrator.push(sse(`1-${i}`, event));
    });
    const snapshot = hydrator.getSnapshot();
    expect(snapshot.response).toStrictEqual(reduceEvents(events));
    expect(snapshot.lastEventId).toBe('1-4');
    expect(snapshot.done).toBe(true);
  });

  it('notifies subscribers on change only, and stops after unsubscribe', () => {
    const run = makeRun();
    const hydrator = createHydrator();
    let calls = 0;
    const unsubscribe = hydrator.subscribe(() => {
      calls++;
    });
    const start = run.start();
    hydrator.push(sse('1-0', start));
    const before = hydrator.getSnapshot();
    hydrator.push(sse('1-0', start)); // redelivered: no change, same snapshot object
    expect(hydrator.getSnapshot()).toBe(before);
    expect(calls).toBe(1);
    unsubscribe();
    hydrator.push(sse('1-1', run.done()));
    expect(calls).toBe(1);
    expect(hydrator.getSnapshot().response?.status).toBe('complete');
  });

  it('continues a history load with live events', () => {
    const run = makeRun();
    const a = newId();
    const b = newId();
    const early = [run.start(), run.itemStart(a), run.messageDone(a, 'first')];
    const late = [run.itemStart(b), run.delta(b, 'second'), run.done()];
    const stored = reduceEvents(early);
    if (!stored) throw new Error('no snapshot');
    const hydrator = createHydrator();
    hydrator.load(stored, '5-0');
    expect(hydrator.getSnapshot().lastEventId).toBe('5-0');
    late.forEach((event, i) => {
      hydrator.push(sse(`6-${i}`, event));
    });
    expect(hydrator.getSnapshot().response?.output_items).toMatchObject([
      { content: 'first' },
      { content: 'second' },
    ]);
    expect(hydrator.getSnapshot().response?.status).toBe('complete');
  });

  it('turns data that is not JSON into an error instead of throwing', () => {
    const run = makeRun();
    const hydrator = createHydrator();
    hydrator.push(sse('1-0', run.start()));
    expect(() => hydrator.push({ id: '1-1', data: '{not json' })).not.toThrow();
    expect(hydrator.getSnapshot().response?.status).toBe('error');
    expect(hydrator.getSnapshot().response?.error?.code).toBe('INVALID_EVENT');
  });

  it('reset forgets everything', () => {
    const run = makeRun();
    const hydrator = createHydrator();
    hydrator.push(sse('1-0', run.start()));
    hydrator.reset();
    expect(hydrator.getSnapshot()).toMatchObject({
      response: undefined,
      lastEventId: undefined,
      done: false,
    });
  });
});
