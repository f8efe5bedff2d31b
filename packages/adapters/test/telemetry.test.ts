import { replies, startTestLlm, type TestLlm } from '@cody/test-llm';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resolveModel } from '../src/index';
import { marker, providerFor, runTurn } from './support/harness';

let llm: TestLlm;
beforeAll(async () => {
  llm = await startTestLlm({ fallback: replies.httpError(500) });
});
afterAll(async () => {
  await llm.close();
});

it.each(['openai', 'anthropic'] as const)('%s: one GenAI span per model call', async (providerId) => {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tag = marker();
  llm.addRule({
    match: { marker: tag, step: 1 },
    reply: replies.toolCalls([{ name: 'listDir', arguments: { path: '.' } }], {
      usage: { input: 40, output: 9 },
    }),
  });
  llm.addRule({ match: { marker: tag, step: 2 }, reply: replies.httpError(429) });
  const model =
    providerId === 'openai'
      ? resolveModel('openai', 'gpt-5-mini')
      : resolveModel('anthropic', 'claude-haiku-4.5');
  await runTurn({
    provider: providerFor(llm, providerId),
    model,
    prompt: tag,
    tools: [{ name: 'listDir', parameters: { type: 'object', properties: { path: { type: 'string' } } } }],
    extra: { tracer: tracerProvider.getTracer('test') },
  });
  const spans = exporter.getFinishedSpans();
  expect(spans.map((span) => span.name)).toEqual([`chat ${model.apiModel}`, `chat ${model.apiModel}`]);
  expect(spans[0]?.attributes).toMatchObject({
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': providerId,
    'gen_ai.request.model': model.apiModel,
    'gen_ai.response.model': model.apiModel,
    'gen_ai.usage.input_tokens': 40,
    'gen_ai.usage.output_tokens': 9,
    'gen_ai.response.finish_reasons': ['tool_calls'],
    'cody.step': 1,
  });
  expect(spans[0]?.attributes['gen_ai.response.id']).toMatch(providerId === 'openai' ? /^resp_/ : /^msg_/);
  expect(spans[1]?.attributes).toMatchObject({ 'error.type': 'PROVIDER_RATE_LIMITED', 'cody.step': 2 });
  expect(spans[1]?.status.code).toBe(2);
  await tracerProvider.shutdown();
});
