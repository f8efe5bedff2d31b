// Registers a global tracer provider with an in-memory exporter: this file runs in its own
// worker process (vitest isolates files), so no other suite sees it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replies } from '@cody/test-llm';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry, type Telemetry } from '../src/telemetry';
import { type Stack, startStack } from './harness';
import { runToEnd } from './support-runs';

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let stack: Stack;
beforeAll(async () => {
  telemetry = startTelemetry({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    serviceName: 'cody-test',
  });
  stack = await startStack({
    rules: [
      {
        match: { marker: 'TC-OBS', step: 1 },
        reply: replies.toolCalls([{ name: 'readFile', arguments: { path: 'a.txt' } }], {
          usage: { input: 50, output: 7 },
        }),
      },
      {
        match: { marker: 'TC-OBS', step: 2 },
        reply: replies.text('It says alpha.', { usage: { input: 80, output: 5 } }),
      },
    ],
  });
  writeFileSync(join(stack.workspace, 'a.txt'), 'alpha\n');
});
afterAll(async () => {
  await stack.close();
  await telemetry.shutdown();
});

const belongsTo = (span: ReadableSpan, runId: string) =>
  span.attributes['cody.run_id'] === runId || span.attributes['cody.response_id'] === runId;

describe('[TC-OBS] one trace per run', () => {
  it.each([
    ['openai', 'gpt-5-mini'],
    ['anthropic', 'claude-haiku-4-5'],
  ] as const)(
    '%s: submit, model calls (GenAI attributes), publishes, persistence and the tool share one trace',
    async (providerId, apiModel) => {
      const model = providerId === 'openai' ? 'gpt-5-mini' : 'claude-haiku-4.5';
      const run = await runToEnd(stack, { prompt: `read a.txt TC-OBS ${providerId}`, providerId, model });
      expect(run.stored.status).toBe('complete');
      // the terminal snapshot write ends its span just after the store answered
      await expect
        .poll(() =>
          exporter
            .getFinishedSpans()
            .some(
              (s) =>
                s.name === 'cody.persist' &&
                belongsTo(s, run.runId) &&
                s.attributes['cody.status'] === 'complete',
            ),
        )
        .toBe(true);

      const spans = exporter.getFinishedSpans();
      const submit = spans.find(
        (s) => s.name === 'POST /api/v2/submit' && s.attributes['cody.run_id'] === run.runId,
      );
      expect(submit, 'the submit span').toBeDefined();
      const traceId = submit?.spanContext().traceId;
      const ofRun = spans.filter((s) => belongsTo(s, run.runId));
      // ONE trace: every span about this run is in the submit's trace
      expect(new Set(ofRun.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
      const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);

      const chats = inTrace.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
      expect(chats).toHaveLength(2);
      for (const chat of chats) {
        expect(chat.kind).toBe(SpanKind.CLIENT);
        expect(chat.attributes['gen_ai.request.model']).toBe(apiModel);
        expect(chat.attributes['gen_ai.provider.name']).toBe(providerId);
      }
      const [first, second] = [...chats].sort(
        (a, b) => Number(a.attributes['cody.step']) - Number(b.attributes['cody.step']),
      );
      expect(first?.attributes).toMatchObject({
        'gen_ai.usage.input_tokens': 50,
        'gen_ai.usage.output_tokens': 7,
        'gen_ai.response.finish_reasons': ['tool_calls'],
      });
      expect(second?.attributes).toMatchObject({
        'gen_ai.usage.input_tokens': 80,
        'gen_ai.usage.output_tokens': 5,
        'gen_ai.response.finish_reasons': ['stop'],
      });

      // the run's opening events are published one by one, the rest in batches (one span each)
      const publishes = inTrace.filter((s) => s.name.startsWith('publish') && s.kind === SpanKind.PRODUCER);
      const published = publishes.flatMap((s) => {
        const types = s.attributes['cody.event_types'] ?? s.attributes['cody.event_type'];
        return Array.isArray(types) ? types : [types];
      });
      const batches = publishes.filter((s) => s.name === 'publish');
      expect(batches.length).toBeGreaterThan(0);
      for (const batch of batches)
        expect(batch.attributes['messaging.batch.message_count']).toBeGreaterThan(0);
      expect(published).toEqual(
        expect.arrayContaining([
          'response_start',
          'item_start',
          'item_delta',
          'item_done',
          'usage_update',
          'response_done',
        ]),
      );
      expect(inTrace.filter((s) => s.name === 'cody.persist').length).toBeGreaterThan(0);
      const tool = inTrace.find((s) => s.name === 'execute_tool readFile');
      expect(tool?.attributes).toMatchObject({ 'gen_ai.tool.name': 'readFile', 'cody.tool.success': true });

      // every event in the run's stream carries that trace
      const entries = (await stack.redis.xrange(`${stack.prefix}run:{${run.runId}}:events`, '-', '+')) as [
        string,
        string[],
      ][];
      const parents = entries.map(
        ([, fields]) => JSON.parse(fields[1] as string).trace_context.traceparent as string,
      );
      expect(parents.length).toBeGreaterThan(0);
      for (const parent of parents) expect(parent.split('-')[1]).toBe(traceId);
    },
  );
});
