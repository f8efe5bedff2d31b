import { randomBytes, randomUUID } from 'node:crypto';
import { createStreamEvent, RedisTransport } from '@cody/redis';
import type { StreamEvent, StreamPayload } from '@cody/schema';
import type { RedisStore } from '@cody/store';
import {
  context,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersistenceWorker } from '../src/persistence/persistence-worker';
import {
  cleanup,
  REDIS_URL,
  RunBuilder,
  redisStore,
  testLogger,
  uniquePrefix,
  waitForTerminal,
} from './persistence-helpers';

// A minimal recording tracer stands in for an OpenTelemetry SDK: the worker only talks to
// @opentelemetry/api, which forwards to whatever provider is registered.
interface Recorded {
  name: string;
  context: SpanContext;
  parent: SpanContext | undefined;
  attributes: Record<string, unknown>;
}
const recorded: Recorded[] = [];

function recordingSpan(
  name: string,
  options: SpanOptions | undefined,
  parent: SpanContext | undefined,
): Span {
  const spanContext: SpanContext = {
    traceId: parent?.traceId ?? randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: 1,
  };
  const entry: Recorded = { name, context: spanContext, parent, attributes: { ...options?.attributes } };
  const span: Span = {
    spanContext: () => spanContext,
    setAttribute: (key, value) => {
      entry.attributes[key] = value;
      return span;
    },
    setAttributes: (attributes) => {
      Object.assign(entry.attributes, attributes);
      return span;
    },
    addEvent: () => span,
    addLink: () => span,
    addLinks: () => span,
    setStatus: () => span,
    updateName: () => span,
    end: () => {
      recorded.push(entry);
    },
    isRecording: () => true,
    recordException: () => {},
  };
  return span;
}

const tracer = {
  startSpan: (name: string, options?: SpanOptions, ctx = context.active()) =>
    recordingSpan(name, options, trace.getSpanContext(ctx)),
  startActiveSpan: () => {
    throw new Error('not used');
  },
} as unknown as Tracer;

const prefix = uniquePrefix('persistence-trace');
let transport: RedisTransport;
let store: RedisStore;
let worker: PersistenceWorker;
const threads: string[] = [];
const runs: string[] = [];

beforeAll(async () => {
  trace.setGlobalTracerProvider({ getTracer: () => tracer });
  transport = new RedisTransport({ url: REDIS_URL, prefix });
  store = redisStore(transport.redis, prefix);
  worker = new PersistenceWorker({ transport, store, logger: testLogger });
  await worker.start();
});

afterAll(async () => {
  await worker.stop();
  await cleanup(transport.redis, store, prefix, threads, runs);
  await transport.close();
  trace.disable();
});

describe('persistence tracing', () => {
  it("continues each event's trace: persistence spans are children of the producer's span", async () => {
    const thread = await store.createThread({});
    threads.push(thread.id);
    const run = new RunBuilder(thread.id);
    runs.push(run.runId);
    const producer: SpanContext = {
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      traceFlags: 1,
    };
    const traced = trace.setSpanContext(ROOT_CONTEXT, producer);
    const emit = (payload: StreamPayload): StreamEvent =>
      createStreamEvent(run.runId, payload, { context: traced });
    const itemId = randomUUID();
    const events = [
      ...run
        .opening()
        .map((event) => ({ ...event, trace_context: emit({ type: 'heartbeat' }).trace_context })),
      emit({ type: 'item_start', item_id: itemId, item_type: 'message', origin: 'agent' }),
      emit({ type: 'item_delta', item_id: itemId, delta_content: 'hi' }),
      emit({
        type: 'item_done',
        item_id: itemId,
        final_item: { id: itemId, type: 'message', origin: 'agent', content: 'hi' },
      }),
      emit({ type: 'response_done', response_id: run.runId, status: 'complete', finish_reason: 'stop' }),
    ];
    expect(events[2]?.trace_context?.traceparent).toBe(`00-${producer.traceId}-${producer.spanId}-01`);
    await transport.publish(events[0]);
    await transport.publish(events[1]);
    await transport.publish(events[2]);
    await transport.announceRun(run.runId);
    for (const event of events.slice(3)) await transport.publish(event);
    await waitForTerminal(store, [run.runId]);
    const persist = recorded.filter(
      (span) => span.name === 'cody.persist' && span.attributes['cody.run_id'] === run.runId,
    );
    expect(persist.length).toBeGreaterThan(0);
    for (const span of persist) {
      expect(span.context.traceId).toBe(producer.traceId);
      expect(span.parent?.spanId).toBe(producer.spanId);
    }
    expect(persist.at(-1)?.attributes['cody.status']).toBe('complete');
  });
});
