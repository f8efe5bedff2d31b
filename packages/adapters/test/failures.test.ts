import { createServer } from 'node:net';
import { ERROR_CODES, type StreamPayload } from '@cody/schema';
import { replies, startTestLlm, type TestLlm } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, ProviderError, resolveModel } from '../src/index';
import { agentText, itemsOf, marker, providerFor, runTurn } from './support/harness';

let llm: TestLlm;
beforeAll(async () => {
  llm = await startTestLlm({
    fallback: replies.httpError(500, { message: 'failures test: no rule matched' }),
  });
});
afterAll(async () => {
  await llm.close();
});

const PROVIDERS = ['openai', 'anthropic'] as const;
const MODELS = {
  openai: resolveModel('openai', 'gpt-5-mini'),
  anthropic: resolveModel('anthropic', 'claude-haiku-4.5'),
};

describe.each(PROVIDERS)('%s failures', (providerId) => {
  const model = MODELS[providerId];

  it.each([
    [401, ERROR_CODES.PROVIDER_AUTH_ERROR, false],
    [429, ERROR_CODES.PROVIDER_RATE_LIMITED, true],
    [500, ERROR_CODES.PROVIDER_ERROR, true],
    [529, ERROR_CODES.PROVIDER_OVERLOADED, true],
    [400, ERROR_CODES.PROVIDER_ERROR, false],
  ] as const)('HTTP %i before the stream → %s', async (status, code, retryable) => {
    const tag = marker();
    llm.addRule({ match: { marker: tag }, reply: replies.httpError(status) });
    const { response, result, loopPayloads } = await runTurn({
      provider: providerFor(llm, providerId),
      model,
      prompt: tag,
    });
    expect(response.status).toBe('error');
    expect(response.error?.code).toBe(code);
    expect(response.error?.details).toMatchObject({ provider: providerId, status });
    expect(result.status).toBe('error');
    expect(loopPayloads.map((p) => p.type)).toEqual(['response_error']);
    expect(response.output_items).toHaveLength(1);
    // the typed error carries isRetryable
    const thrown = await firstError(providerFor(llm, providerId), tag, model);
    expect(thrown).toBeInstanceOf(ProviderError);
    expect((thrown as ProviderError).isRetryable).toBe(retryable);
  });

  it('retries before the first byte (SDK backoff), then streams', async () => {
    const tag = marker();
    llm.addRule({
      match: { marker: tag },
      reply: replies.httpError(providerId === 'openai' ? 500 : 529, { headers: { 'retry-after-ms': '10' } }),
      times: 2,
    });
    llm.addRule({ match: { marker: tag }, reply: replies.text('third time lucky') });
    const { response } = await runTurn({ provider: providerFor(llm, providerId, 2), model, prompt: tag });
    expect(response.status).toBe('complete');
    expect(agentText(response)).toBe('third time lucky');
    expect(llm.findRequests({ marker: tag }).map((r) => r.status)).toEqual([
      providerId === 'openai' ? 500 : 529,
      providerId === 'openai' ? 500 : 529,
      200,
    ]);
  });

  it('never retries once streaming began', async () => {
    const tag = marker();
    llm.addRule({
      match: { marker: tag },
      reply: { ...replies.text('partial answer that breaks'), dropAfterEvents: 6 },
    });
    const { response } = await runTurn({ provider: providerFor(llm, providerId, 2), model, prompt: tag });
    expect(response.error?.code).toBe(ERROR_CODES.PROVIDER_CONNECTION_LOST);
    expect(llm.findRequests({ marker: tag })).toHaveLength(1);
  });

  it('mid-stream error event → response_error, the open item gets item_error and keeps its text', async () => {
    const tag = marker();
    const afterEvents = providerId === 'openai' ? 7 : 6;
    llm.addRule({
      match: { marker: tag },
      reply: { ...replies.text('abcdefghijklmnopqrstuvwxyz', { chunkSize: 3 }), error: { afterEvents } },
    });
    const { response, loopPayloads } = await runTurn({
      provider: providerFor(llm, providerId),
      model,
      prompt: tag,
    });
    expect(response.status).toBe('error');
    expect(response.error?.code).toBe(
      providerId === 'openai' ? ERROR_CODES.PROVIDER_ERROR : ERROR_CODES.PROVIDER_OVERLOADED,
    );
    const types = loopPayloads.map((p) => p.type);
    expect(types.slice(-2)).toEqual(['item_error', 'response_error']);
    const message = itemsOf(response, 'message').find((item) => item.origin === 'agent');
    expect(message?.content).toBe('abcdefghi');
  });

  it('a dropped connection ends the run with PROVIDER_CONNECTION_LOST', async () => {
    const tag = marker();
    llm.addRule({
      match: { marker: tag },
      reply: { ...replies.text('x'.repeat(100), { chunkSize: 5 }), dropAfterEvents: 8 },
    });
    const { response, loopPayloads } = await runTurn({
      provider: providerFor(llm, providerId),
      model,
      prompt: tag,
    });
    expect(response.status).toBe('error');
    expect(response.error?.code).toBe(ERROR_CODES.PROVIDER_CONNECTION_LOST);
    expect(loopPayloads.at(-1)?.type).toBe('response_error');
    expect(await llm.findRequests({ marker: tag })[0]?.outcome).toBe('dropped');
  });

  it('a stream that ends cleanly before its terminal event is a lost connection too', async () => {
    const tag = marker();
    llm.addRule({
      match: { marker: tag },
      reply: { ...replies.text('truncated answer'), endAfterEvents: 6 },
    });
    const { response } = await runTurn({ provider: providerFor(llm, providerId), model, prompt: tag });
    expect(response.error?.code).toBe(ERROR_CODES.PROVIDER_CONNECTION_LOST);
    expect(response.error?.message).toContain(
      providerId === 'openai' ? 'response.completed' : 'message_stop',
    );
    expect(await llm.findRequests({ marker: tag })[0]?.outcome).toBe('completed');
  });

  it('abort mid-call aborts the HTTP request and emits nothing more', async () => {
    const tag = marker();
    llm.addRule({
      match: { marker: tag },
      reply: { ...replies.text('z'.repeat(400), { chunkSize: 2 }), delayMs: 10 },
    });
    const controller = new AbortController();
    let emittedAtAbort = -1;
    const seen: StreamPayload[] = [];
    const { result, response } = await runTurn({
      provider: providerFor(llm, providerId),
      model,
      prompt: tag,
      signal: controller.signal,
      onEmit: (payload) => {
        seen.push(payload);
        if (payload.type === 'item_delta' && emittedAtAbort === -1) {
          controller.abort();
          emittedAtAbort = seen.length;
        }
      },
    });
    expect(result.status).toBe('aborted');
    expect(seen).toHaveLength(emittedAtAbort);
    expect(response.status).toBe('aborted');
    const request = llm.findRequests({ marker: tag })[0];
    expect(await request?.outcome).toBe('client_closed');
  });

  it('abort while waiting for tool outputs returns without emitting', async () => {
    const tag = marker();
    llm.addRule({ match: { marker: tag }, reply: replies.toolCalls([{ name: 'slow', arguments: {} }]) });
    const controller = new AbortController();
    const { result, loopPayloads } = await runTurn({
      provider: providerFor(llm, providerId),
      model,
      prompt: tag,
      tools: [{ name: 'slow', parameters: { type: 'object', properties: {} } }],
      signal: controller.signal,
      tool: (_call, signal) =>
        new Promise((_resolve, reject) => {
          setTimeout(() => controller.abort(), 5);
          signal.addEventListener('abort', () => reject(new Error('tool stopped')), { once: true });
        }),
    });
    expect(result.status).toBe('aborted');
    // the call was streamed and the usage reported; nothing after the abort
    expect(loopPayloads.map((p) => p.type).slice(-2)).toEqual(['item_done', 'usage_update']);
    expect(llm.findRequests({ marker: tag })).toHaveLength(1);
  });
});

it('an unreachable provider is PROVIDER_CONNECTION_LOST, naming the URL tried', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  const provider = createProvider(
    'openai',
    { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` },
    { maxRetries: 0 },
  );
  const { response } = await runTurn({ provider, model: MODELS.openai, prompt: 'anyone there?' });
  expect(response.error?.code).toBe(ERROR_CODES.PROVIDER_CONNECTION_LOST);
  expect(response.error?.details).toMatchObject({ provider: 'openai', url: `http://127.0.0.1:${port}/v1` });
  expect(response.error?.message).toContain(`http://127.0.0.1:${port}/v1`);
});

async function firstError(
  provider: ReturnType<typeof providerFor>,
  prompt: string,
  model: (typeof MODELS)['openai'],
) {
  try {
    for await (const _part of provider.streamTurn({
      model,
      history: [{ id: crypto.randomUUID(), type: 'message', origin: 'user', content: prompt }],
    })) {
      // drain
    }
  } catch (error) {
    return error;
  }
  return undefined;
}
