// Provider ingest (issue #11 item 5): the same Responses API (and Messages API) stream from the
// test LLM over HTTP, read by the SDK's stream iterator and by parsing the raw body (what the adapters do)
// with eventsource-parser + JSON.parse (the request still made by the SDK: auth, retries,
// errors). Prints events/s and CPU ms per 10k events, best of BENCH_ROUNDS; asserts nothing.
// Run: pnpm --filter @cody/adapters bench:parse   (BENCH_DELTAS=20000, BENCH_ROUNDS=5)
import { performance } from 'node:perf_hooks';
import Anthropic from '@anthropic-ai/sdk';
import { replies, startTestLlm } from '@cody/test-llm';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import OpenAI from 'openai';

const DELTAS = Number(process.env.BENCH_DELTAS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const llm = await startTestLlm({
  rules: [{ reply: replies.text(Array.from({ length: DELTAS }, (_, i) => `w${i % 10} `)) }],
});
const client = new OpenAI({ apiKey: 'bench', baseURL: llm.openaiBaseUrl, maxRetries: 0 });
const request = { model: 'gpt-5-mini', input: 'go', stream: true } as const;
const anthropic = new Anthropic({ apiKey: 'bench', baseURL: llm.anthropicBaseUrl, maxRetries: 0 });
const anthropicRequest: Anthropic.MessageCreateParamsStreaming = {
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'go' }],
  stream: true,
};

async function viaSdk(): Promise<number> {
  let events = 0;
  const stream = await client.responses.create(request);
  for await (const event of stream) if (event.type) events++;
  return events;
}

async function viaParser(): Promise<number> {
  let events = 0;
  const response = await client.responses.create(request).asResponse();
  const body = (response.body as ReadableStream<Uint8Array>)
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  for await (const message of body) if ((JSON.parse(message.data) as { type?: string }).type) events++;
  return events;
}

async function anthropicViaSdk(): Promise<number> {
  let events = 0;
  const stream = await anthropic.messages.create(anthropicRequest);
  for await (const event of stream) if (event.type) events++;
  return events;
}

async function anthropicViaParser(): Promise<number> {
  let events = 0;
  const response = await anthropic.messages.create(anthropicRequest).asResponse();
  const body = (response.body as ReadableStream<Uint8Array>)
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  for await (const message of body) if ((JSON.parse(message.data) as { type?: string }).type) events++;
  return events;
}

async function measure(name: string, read: () => Promise<number>) {
  let best = { rate: 0, cpuPer10k: Number.POSITIVE_INFINITY, events: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const events = await read();
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    // the test LLM runs in this process too: its share is the same for both readers
    const rate = events / seconds;
    if (rate > best.rate) best = { rate, cpuPer10k: (cpuMs / events) * 10_000, events };
  }
  console.log(
    `${name.padEnd(34)} ${String(best.events).padStart(7)} events  ${Math.round(best.rate).toString().padStart(7)} events/s  ${best.cpuPer10k.toFixed(0).padStart(5)} CPU ms per 10k events`,
  );
}

console.log(
  `OpenAI Responses stream of ${DELTAS} text deltas from the test LLM, best of ${ROUNDS} (Node ${process.version})`,
);
await measure('SDK stream iterator', viaSdk);
await measure('eventsource-parser on the raw body', viaParser);
await measure('SDK stream iterator (again)', viaSdk);
await measure('eventsource-parser (again)', viaParser);
console.log(`\nAnthropic Messages stream of ${DELTAS} text deltas from the test LLM, best of ${ROUNDS}`);
await measure('SDK stream iterator', anthropicViaSdk);
await measure('eventsource-parser on the raw body', anthropicViaParser);
await measure('SDK stream iterator (again)', anthropicViaSdk);
await measure('eventsource-parser (again)', anthropicViaParser);
await llm.close();
