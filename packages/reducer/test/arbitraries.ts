// fast-check generators of valid event sequences: items of every type, interleaved, each
// with start → deltas → done in order, and a random ending.
import type { OutputItem, StreamEvent } from '@cody/schema';
import fc from 'fast-check';
import { makeRun } from './event-factory';

type ItemPlan = { type: OutputItem['type']; chunks: string[]; id: string; callId: string };

const itemPlan = fc.record({
  type: fc.constantFrom<OutputItem['type']>(
    'message',
    'reasoning',
    'function_call',
    'function_call_output',
    'script_execution',
    'script_execution_output',
    'error',
  ),
  chunks: fc.array(fc.string({ unit: 'binary', maxLength: 8 }), { maxLength: 6 }),
  id: fc.uuid({ version: 4 }),
  callId: fc.string({ minLength: 1, maxLength: 10 }),
});

function finalItem(plan: ItemPlan): OutputItem {
  const text = plan.chunks.join('');
  const { id } = plan;
  switch (plan.type) {
    case 'message':
      return { id, type: 'message', origin: 'agent', content: text };
    case 'reasoning':
      return { id, type: 'reasoning', origin: 'agent', content: text, provider_data: { signature: 'sig' } };
    case 'function_call':
      return {
        id,
        type: 'function_call',
        origin: 'agent',
        name: 'exec',
        arguments: text,
        call_id: plan.callId,
      };
    case 'function_call_output':
      return {
        id,
        type: 'function_call_output',
        origin: 'tool_harness',
        call_id: plan.callId,
        output: text,
        success: true,
      };
    case 'script_execution':
      return { id, type: 'script_execution', origin: 'agent', code: text };
    case 'script_execution_output':
      return {
        id,
        type: 'script_execution_output',
        origin: 'tool_harness',
        script_id: id,
        result: text,
        success: true,
      };
    case 'error':
      return { id, type: 'error', origin: 'system', code: 'E', message: text };
  }
}

const startExtras = (plan: ItemPlan): Record<string, string> => {
  if (plan.type === 'function_call') return { name: 'exec', call_id: plan.callId };
  if (plan.type === 'function_call_output') return { call_id: plan.callId };
  if (plan.type === 'script_execution_output') return { script_id: plan.id };
  return {};
};

/** A valid run: interleaved items plus an ending (done, error, abort, or still streaming). */
export const validRun = fc
  .record({
    items: fc.uniqueArray(itemPlan, { maxLength: 6, selector: (p) => p.id }),
    picks: fc.array(fc.nat(), { maxLength: 80 }),
    ending: fc.constantFrom('complete', 'error', 'aborted', 'open', 'usage'),
    finishDone: fc.boolean(),
  })
  .map(({ items, picks, ending, finishDone }) => {
    const run = makeRun();
    const queues: StreamEvent[][] = items.map((plan) => {
      const events = [
        run.itemStart(plan.id, plan.type, startExtras(plan)),
        ...plan.chunks.map((c) => run.delta(plan.id, c)),
      ];
      if (finishDone)
        events.push(run.event({ type: 'item_done', item_id: plan.id, final_item: finalItem(plan) }));
      return events;
    });
    const events: StreamEvent[] = [run.start()];
    let pick = 0;
    while (queues.some((q) => q.length > 0)) {
      const open = queues.filter((q) => q.length > 0);
      const queue = open[(picks[pick++] ?? 0) % open.length] as StreamEvent[];
      events.push(queue.shift() as StreamEvent);
    }
    if (ending === 'complete') events.push(run.usage(5, 7), run.done('complete', 'stop'));
    if (ending === 'error') events.push(run.failed('PROVIDER_ERROR', 'upstream failed'));
    if (ending === 'aborted') events.push(run.aborted());
    if (ending === 'usage') events.push(run.usage(1, 2));
    return events;
  });

/** A valid run with some of its events delivered again later (at-least-once delivery). */
export const runWithDuplicates = validRun.chain((events) =>
  fc
    .array(fc.tuple(fc.nat({ max: Math.max(0, events.length - 1) }), fc.nat()), { maxLength: 20 })
    .map((dups) => {
      const withDups = [...events];
      for (const [source, offset] of dups) {
        const original = events[source] as StreamEvent;
        const at = withDups.indexOf(original) + 1 + (offset % (withDups.length - withDups.indexOf(original)));
        withDups.splice(at, 0, original);
      }
      return { events, withDups };
    }),
);

/** Anything at all: valid events out of order, mutated events, and garbage. */
export const anySequence = validRun.chain((events) =>
  fc.array(
    fc.oneof(
      fc.constantFrom(...events),
      fc.anything(),
      fc.constantFrom(...events).map((e) => ({ ...e, payload: { ...e.payload, item_id: 'not-a-uuid' } })),
      fc.constantFrom(...events).map((e) => ({ ...e, type: 'item_delta' })),
    ),
    { maxLength: 40 },
  ),
);
