// Reducer throughput: events/s for four stream shapes, and the time ratio against a baseline
// that only concatenates the same strings in one loop. Linearity check: (c) ≤ 12 × (b).
import type { StreamEvent } from '@cody/schema';
import { applyEvent } from '../src/apply-event';
import { newId } from '../src/new-id';
import type { ReducerState } from '../src/reducer-state';
import { makeRun } from '../test/event-factory';

interface Scenario {
  name: string;
  /** Events as the JSON text Redis and SSE deliver; parsed inside the measurement. */
  events: string[];
  chunks: string[];
}

const asWire = (events: StreamEvent[]) => events.map((event) => JSON.stringify(event));

function singleItem(name: string, deltas: number, bytes: number): Scenario {
  const run = makeRun();
  const item = newId();
  const chunk = 'x'.repeat(bytes - 1);
  const chunks = Array.from({ length: deltas }, (_, i) => chunk + String.fromCharCode(97 + (i % 26)));
  const events = [run.start(), run.itemStart(item), ...chunks.map((c) => run.delta(item, c)), run.done()];
  return { name, events: asWire(events), chunks };
}

function interleaved(items: number, deltasPerItem: number, bytes: number): Scenario {
  const run = makeRun();
  const ids = Array.from({ length: items }, () => newId());
  const chunks: string[] = [];
  const events: StreamEvent[] = [run.start(), ...ids.map((id) => run.itemStart(id))];
  for (let i = 0; i < deltasPerItem; i++) {
    for (const id of ids) {
      const chunk = 'y'.repeat(bytes);
      chunks.push(chunk);
      events.push(run.delta(id, chunk));
    }
  }
  events.push(run.done());
  return {
    name: `(d) ${items} items interleaved, ${deltasPerItem} deltas × ${bytes} B each`,
    events: asWire(events),
    chunks,
  };
}

// a full collection before each measurement, when node runs with --expose-gc, so one
// scenario's garbage is not billed to the next
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

function timeReduce(events: string[]): number {
  collect();
  const started = performance.now();
  let state: ReducerState | undefined;
  for (const event of events) state = applyEvent(state, JSON.parse(event));
  // read the content so lazy string joins are paid inside the measurement
  let length = 0;
  for (const item of state?.response?.output_items ?? [])
    if (item.type === 'message') length += item.content.length;
  if (length === 0) throw new Error('nothing reduced');
  return performance.now() - started;
}

function timeBaseline(chunks: string[]): number {
  collect();
  const started = performance.now();
  let text = '';
  for (const chunk of chunks) text += chunk;
  if (text.charCodeAt(text.length - 1) === -1) throw new Error('unreachable');
  return performance.now() - started;
}

const best = (runs: number, fn: () => number) => Math.min(...Array.from({ length: runs }, fn));

const scenarios: Scenario[] = [
  singleItem('(a) 1 MiB message in 512 deltas', 512, 2048),
  singleItem('(b) 10,000 deltas of 100 B', 10_000, 100),
  singleItem('(c) 100,000 deltas of 100 B', 100_000, 100),
  interleaved(10, 1_000, 100),
];

console.log(
  `reducer bench (node ${process.version}); events parsed from JSON text and reduced; best of 5 runs each\n`,
);
const results = new Map<string, number>();
for (const scenario of scenarios) {
  timeReduce(scenario.events); // warm-up
  const ms = best(5, () => timeReduce(scenario.events));
  const baseline = best(5, () => timeBaseline(scenario.chunks));
  results.set(scenario.name.slice(0, 3), ms);
  const rate = Math.round(scenario.events.length / (ms / 1000));
  console.log(
    `${scenario.name.padEnd(58)} ${String(scenario.events.length).padStart(7)} events ${ms.toFixed(1).padStart(8)} ms ` +
      `${rate.toLocaleString('en-US').padStart(11)} events/s  ×${(ms / Math.max(baseline, 0.001)).toFixed(0)} baseline (${baseline.toFixed(2)} ms)`,
  );
}
const ratio = (results.get('(c)') ?? 0) / (results.get('(b)') ?? 1);
console.log(
  `\nlinearity: (c) / (b) = ${ratio.toFixed(2)} for 10× the events (limit 12): ${ratio <= 12 ? 'ok' : 'NOT LINEAR'}`,
);
if (ratio > 12) process.exitCode = 1;
