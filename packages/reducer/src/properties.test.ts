import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anySequence, runWithDuplicates, validRun } from '../test/arbitraries';
import { applyEvent } from './apply-event';
import { reduceEvents, reduceEventsToState } from './reduce-events';
import { replayEvents } from './replay-events';

describe('reducer properties', () => {
  it('random duplicates reduce to the same Response as without them', () => {
    fc.assert(
      fc.property(runWithDuplicates, ({ events, withDups }) => {
        expect(reduceEvents(withDups)).toStrictEqual(reduceEvents(events));
      }),
      { numRuns: 300 },
    );
  });

  it('no sequence whatsoever makes applyEvent throw', () => {
    fc.assert(
      fc.property(anySequence, (events) => {
        let state: ReturnType<typeof applyEvent> | undefined;
        for (const event of events) state = applyEvent(state, event);
      }),
      { numRuns: 500 },
    );
  });

  it('reduceEvents(replayEvents(s)) equals s for snapshots of valid runs', () => {
    fc.assert(
      fc.property(validRun, (events) => {
        const snapshot = reduceEvents(events);
        if (snapshot === undefined) throw new Error('a valid run always has a snapshot');
        expect(reduceEvents(replayEvents(snapshot))).toStrictEqual(snapshot);
      }),
      { numRuns: 300 },
    );
  });

  it('reduceEvents(replayEvents(s)) equals s for snapshots of broken runs too', () => {
    fc.assert(
      fc.property(anySequence, validRun, (noise, prefix) => {
        const snapshot = reduceEvents([prefix[0], ...noise]);
        if (snapshot === undefined) return;
        expect(reduceEvents(replayEvents(snapshot))).toStrictEqual(snapshot);
      }),
      { numRuns: 300 },
    );
  });

  it('a valid run never ends in a sequence error', () => {
    fc.assert(
      fc.property(validRun, (events) => {
        const state = reduceEventsToState(events);
        expect(state?.response?.error?.code).not.toBe('STREAM_SEQUENCE_ERROR');
        expect(state?.response?.error?.code).not.toBe('INVALID_EVENT');
      }),
      { numRuns: 200 },
    );
  });
});
