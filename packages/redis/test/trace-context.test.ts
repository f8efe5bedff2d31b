import { context, propagation, type Span, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractTraceContext, injectTraceContext, NULL_TRACEPARENT, RedisTransport } from '../src/index';
import { deleteRunKeys, REDIS_TOPOLOGY, RunBuilder, uniquePrefix } from './helpers';

// this file registers a global SDK; vitest runs each file in its own worker, so others stay SDK-free
const prefix = uniquePrefix('redis-trace');
const exporter = new InMemorySpanExporter();
let transport: RedisTransport;
const runs: string[] = [];

describe('without an SDK', () => {
  it('stamps the null traceparent and extracting it gives the root context', () => {
    expect(injectTraceContext()).toEqual({ traceparent: NULL_TRACEPARENT });
    expect(trace.getSpanContext(extractTraceContext({ traceparent: NULL_TRACEPARENT }))).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext({ traceparent: 'garbage' }))).toBeUndefined();
  });

  it('still carries a span context it is given, formatted as W3C traceparent', () => {
    const spanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    };
    const ctx = trace.setSpanContext(context.active(), spanContext);
    const carried = injectTraceContext(ctx);
    expect(carried).toEqual({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    expect(trace.getSpanContext(extractTraceContext(carried))).toMatchObject({
      ...spanContext,
      isRemote: true,
    });
  });
});

describe('with an SDK registered', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    transport = new RedisTransport({ topology: REDIS_TOPOLOGY, prefix });
  });
  afterAll(async () => {
    await deleteRunKeys(transport.redis, prefix, runs);
    await transport.close();
  });

  it('emit carries the active trace through Redis, and a consumer span joins it', async () => {
    const run = new RunBuilder();
    runs.push(run.runId);
    const tracer = trace.getTracer('test');
    const { traceId, entryId } = await tracer.startActiveSpan('submit', async (span: Span) => {
      const { id } = await transport.emit(run.runId, { type: 'heartbeat' });
      span.end();
      return { traceId: span.spanContext().traceId, entryId: id };
    });
    const [entry] = await transport.readRange(run.runId);
    expect(entry?.id).toBe(entryId);
    expect(entry?.event.trace_context?.traceparent).toContain(traceId);

    const consumer = tracer.startSpan('persist', {}, extractTraceContext(entry?.event.trace_context));
    consumer.end();
    const spans = exporter.getFinishedSpans();
    const publish = spans.find((span) => span.name === 'publish heartbeat');
    const persist = spans.find((span) => span.name === 'persist');
    expect(publish?.spanContext().traceId).toBe(traceId);
    expect(publish?.attributes['messaging.message.id']).toBe(entryId);
    expect(persist?.spanContext().traceId).toBe(traceId);
    // the consumer continues from the publish span, the one whose context the event carries
    expect(persist?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId);
  });
});
