// [TC-OBS] traces as a deployment exports them: the server (and, in the second case, a
// standalone worker process) configured only by OTEL_* / LANGFUSE_* variables, the real OTLP
// exporter sending to a real HTTP receiver in this test. One trace per run with the submit,
// model-call (GenAI attributes), publish, persistence and tool spans; content only with
// CODY_TRACE_CONTENT=on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, type Stack, startStack } from './harness';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './support-otlp-receiver';
import { runToEnd } from './support-runs';
import { startWorkerChild, type WorkerChild } from './support-stream-helpers';

const SECRET_WORD = 'pomegranate-42';
const rules = [
  {
    match: { marker: 'TC-OTLP', step: 1 },
    reply: replies.toolCalls([{ name: 'readFile', arguments: { path: 'word.txt' } }], {
      reasoning: 'I should read word.txt first.',
      usage: { input: 50, output: 7 },
    }),
  },
  {
    match: { marker: 'TC-OTLP', step: 2 },
    reply: replies.text('The word is in the file.', { usage: { input: 80, output: 5 } }),
  },
];

const ofRun = (spans: ReceivedSpan[], runId: string) =>
  spans.filter((s) => s.attributes['cody.run_id'] === runId || s.attributes['cody.response_id'] === runId);

/** Waits until the run's terminal snapshot write was exported, then returns the run's trace. */
async function traceOf(receiver: OtlpReceiver, runId: string) {
  await receiver.waitFor((spans) =>
    ofRun(spans, runId).some((s) => s.name === 'cody.persist' && s.attributes['cody.status'] === 'complete'),
  );
  const submit = await receiver.waitFor((spans) =>
    spans.find((s) => s.name === 'POST /api/v2/submit' && s.attributes['cody.run_id'] === runId),
  );
  // each process exports on its own schedule: wait until the tool span (worker) and both
  // model-call spans (run driver) are in too
  await receiver.waitFor(
    (spans) =>
      spans.some((s) => s.traceId === submit.traceId && s.name === 'execute_tool readFile') &&
      spans.filter((s) => s.traceId === submit.traceId && s.attributes['gen_ai.operation.name'] === 'chat')
        .length >= 2,
  );
  return { submit, inTrace: receiver.spans.filter((s) => s.traceId === submit.traceId) };
}

function expectOneTraceWithEverySpan(
  receiver: OtlpReceiver,
  runId: string,
  trace: Awaited<ReturnType<typeof traceOf>>,
) {
  // ONE trace: every span about this run is in the submit's trace
  expect(new Set(ofRun(receiver.spans, runId).map((s) => s.traceId))).toEqual(
    new Set([trace.submit.traceId]),
  );
  const names = trace.inTrace.map((s) => s.name);
  expect(names).toContain('cody.persist');
  expect(names).toContain('execute_tool readFile');
  expect(trace.inTrace.some((s) => s.name.startsWith('publish') && s.kind === 4)).toBe(true);
  const chats = trace.inTrace.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
  expect(chats).toHaveLength(2);
  for (const chat of chats) {
    expect(chat.kind).toBe(3);
    expect(chat.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-5-mini',
    });
  }
  const [first, second] = [...chats].sort(
    (a, b) => Number(a.attributes['cody.step']) - Number(b.attributes['cody.step']),
  );
  expect(first?.attributes).toMatchObject({
    'gen_ai.usage.input_tokens': 50,
    'gen_ai.usage.output_tokens': 7,
    'gen_ai.response.finish_reasons': ['tool_calls'],
  });
  expect(second?.attributes).toMatchObject({ 'gen_ai.response.finish_reasons': ['stop'] });
  const tool = trace.inTrace.find((s) => s.name === 'execute_tool readFile');
  expect(tool?.attributes).toMatchObject({
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'readFile',
  });
  return { chats: [first, second] as ReceivedSpan[], tool: tool as ReceivedSpan };
}

const CONTENT_KEYS = [
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
];

describe('[TC-OBS] OTLP export, server with in-process workers', () => {
  for (const content of ['on', 'off'] as const) {
    describe(`CODY_TRACE_CONTENT=${content}`, () => {
      let receiver: OtlpReceiver;
      let stack: Stack;
      beforeAll(async () => {
        receiver = await startOtlpReceiver();
        stack = await startStack({
          childProcess: true,
          rules,
          env: {
            OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
            OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
            OTEL_SERVICE_NAME: 'cody-under-test',
            CODY_TRACE_CONTENT: content,
          },
        });
        writeFileSync(join(stack.workspace, 'word.txt'), `${SECRET_WORD}\n`);
      });
      afterAll(async () => {
        await stack?.close();
        await receiver?.close();
      });

      it('one trace per run: submit, model calls, publishes, persistence, tool', async () => {
        const run = await runToEnd(stack, {
          prompt: 'read word.txt TC-OTLP',
          providerId: 'openai',
          model: 'gpt-5-mini',
        });
        expect(run.stored.status, JSON.stringify(run.stored.error)).toBe('complete');
        const trace = await traceOf(receiver, run.runId);
        const { chats, tool } = expectOneTraceWithEverySpan(receiver, run.runId, trace);
        expect(trace.submit.service).toBe('cody-under-test');
        const [first, second] = chats as [ReceivedSpan, ReceivedSpan];
        if (content === 'off') {
          for (const span of trace.inTrace) {
            for (const key of CONTENT_KEYS)
              expect(span.attributes[key], `${span.name} ${key}`).toBeUndefined();
            expect(JSON.stringify(span.attributes)).not.toContain(SECRET_WORD);
            expect(JSON.stringify(span.attributes)).not.toContain('read word.txt');
          }
          return;
        }
        const input1 = JSON.parse(first.attributes['gen_ai.input.messages'] as string);
        expect(input1).toEqual([
          { role: 'user', parts: [{ type: 'text', content: 'read word.txt TC-OTLP' }] },
        ]);
        const output1 = JSON.parse(first.attributes['gen_ai.output.messages'] as string);
        expect(output1).toEqual([
          {
            role: 'assistant',
            finish_reason: 'tool_calls',
            parts: [
              { type: 'reasoning', content: 'I should read word.txt first.' },
              {
                type: 'tool_call',
                id: expect.any(String),
                name: 'readFile',
                arguments: { path: 'word.txt' },
              },
            ],
          },
        ]);
        const callId = output1[0].parts[1].id;
        const input2 = JSON.parse(second.attributes['gen_ai.input.messages'] as string);
        expect(input2.at(-1)).toEqual({
          role: 'tool',
          parts: [{ type: 'tool_call_response', id: callId, response: expect.stringContaining(SECRET_WORD) }],
        });
        expect(JSON.parse(second.attributes['gen_ai.output.messages'] as string)).toEqual([
          {
            role: 'assistant',
            finish_reason: 'stop',
            parts: [{ type: 'text', content: 'The word is in the file.' }],
          },
        ]);
        expect(JSON.parse(tool.attributes['gen_ai.tool.call.arguments'] as string)).toEqual({
          path: 'word.txt',
        });
        expect(tool.attributes['gen_ai.tool.call.result']).toContain(SECRET_WORD);
      });
    });
  }
});

describe('[TC-OBS] OTLP export, workers in their own process (CODY_WORKERS=none + cody-worker)', () => {
  let receiver: OtlpReceiver;
  let stack: Stack;
  let worker: WorkerChild;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      CODY_TRACE_CONTENT: 'on',
    };
    stack = await startStack({ childProcess: true, rules, env: { ...otel, CODY_WORKERS: 'none' } });
    worker = await startWorkerChild({
      ...otel,
      REDIS_URL,
      CODY_REDIS_PREFIX: stack.prefix,
      CODY_WORKSPACE: stack.workspace,
    });
    writeFileSync(join(stack.workspace, 'word.txt'), `${SECRET_WORD}\n`);
  });
  afterAll(async () => {
    await worker?.stop();
    await stack?.close();
    await receiver?.close();
  });

  it("the worker's persistence and tool spans join the run's trace", async () => {
    const run = await runToEnd(stack, {
      prompt: 'read word.txt TC-OTLP',
      providerId: 'openai',
      model: 'gpt-5-mini',
    });
    expect(run.stored.status, JSON.stringify(run.stored.error)).toBe('complete');
    const trace = await traceOf(receiver, run.runId);
    const { tool } = expectOneTraceWithEverySpan(receiver, run.runId, trace);
    expect(trace.submit.service).toBe('cody-server');
    expect(tool.service).toBe('cody-worker');
    expect(
      trace.inTrace.filter((s) => s.name === 'cody.persist').every((s) => s.service === 'cody-worker'),
    ).toBe(true);
    expect(tool.attributes['gen_ai.tool.call.result']).toContain(SECRET_WORD);
  });
});

describe('[TC-OBS] Langfuse keys configure the OTLP exporter', () => {
  let receiver: OtlpReceiver;
  let stack: Stack;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startStack({
      childProcess: true,
      rules,
      env: {
        LANGFUSE_PUBLIC_KEY: 'pk-lf-test',
        LANGFUSE_SECRET_KEY: 'sk-lf-test',
        LANGFUSE_BASEURL: receiver.url,
      },
    });
    writeFileSync(join(stack.workspace, 'word.txt'), `${SECRET_WORD}\n`);
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it("sends protobuf to <base>/api/public/otel/v1/traces with Langfuse's basic auth", async () => {
    const run = await runToEnd(stack, {
      prompt: 'read word.txt TC-OTLP',
      providerId: 'openai',
      model: 'gpt-5-mini',
    });
    expect(run.stored.status, JSON.stringify(run.stored.error)).toBe('complete');
    // protobuf (the SDK's default protocol) is kept raw: the run id is in it as a string attribute
    const request = await new Promise<(typeof receiver.requests)[number]>((resolve) => {
      const poll = () => {
        const found = receiver.requests.find((r) => r.body.includes(run.runId));
        if (found) resolve(found);
        else setTimeout(poll, 50);
      };
      poll();
    });
    expect(request.path).toBe('/api/public/otel/v1/traces');
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    expect(request.headers.authorization).toBe(
      `Basic ${Buffer.from('pk-lf-test:sk-lf-test').toString('base64')}`,
    );
  });
});
