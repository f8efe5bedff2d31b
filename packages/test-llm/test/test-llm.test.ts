import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listRecordings,
  parseSseFrames,
  type RecordedRequest,
  replies,
  signThinking,
  startTestLlm,
  type TestLlm,
} from '../src/index';

let llm: TestLlm;

beforeAll(async () => {
  llm = await startTestLlm({ fallback: replies.httpError(500, { message: 'no rule matched' }) });
});
afterAll(async () => {
  await llm.close();
});

const marker = () => `[case ${Math.random().toString(36).slice(2)}]`;

function post(path: '/v1/responses' | '/v1/messages', body: unknown, headers: Record<string, string> = {}) {
  const auth: Record<string, string> =
    path === '/v1/responses' ? { authorization: 'Bearer sk-test' } : { 'x-api-key': 'sk-ant-test' };
  return fetch(`${llm.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function events(response: Response) {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  return parseSseFrames(await response.text()).map((frame) => {
    const data = JSON.parse(
      frame.raw
        .split('\n')
        .find((line) => line.startsWith('data: '))
        ?.slice(6) ?? 'null',
    );
    return { event: frame.event, data };
  });
}

const openaiBody = (prompt: string, extra: Record<string, unknown> = {}) => ({
  model: 'gpt-5-mini',
  stream: true,
  input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: prompt }] }],
  ...extra,
});
const anthropicBody = (prompt: string, extra: Record<string, unknown> = {}) => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 4096,
  stream: true,
  messages: [{ role: 'user', content: prompt }],
  ...extra,
});

function lastRequest(tag: string): RecordedRequest {
  const found = llm.findRequests({ marker: tag });
  expect(found.length).toBeGreaterThan(0);
  return found.at(-1) as RecordedRequest;
}

describe('recordings', () => {
  it.each(listRecordings().map((r) => [r.name, r] as const))(
    'replays %s byte for byte',
    async (_name, recording) => {
      const tag = marker();
      llm.addRule({ match: { marker: tag }, reply: replies.recording(recording.name) });
      const path = recording.provider === 'openai' ? '/v1/responses' : '/v1/messages';
      const body = recording.provider === 'openai' ? openaiBody(tag) : anthropicBody(tag);
      const response = await post(path, body);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(readFileSync(recording.file, 'utf8'));
      expect(await lastRequest(tag).outcome).toBe('completed');
    },
  );

  it('refuses to replay a recording over the other protocol', async () => {
    const tag = marker();
    llm.addRule({ match: { marker: tag }, reply: replies.recording('anthropic-messages/text-simple.sse') });
    const response = await post('/v1/responses', openaiBody(tag));
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).toContain('is not a openai stream');
  });
});

describe('validation like the real APIs', () => {
  it('rejects an Anthropic request without max_tokens', async () => {
    const { max_tokens: _omitted, ...body } = anthropicBody(marker());
    const response = await post('/v1/messages', body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    });
  });

  it('rejects a tool_result whose tool_use is not in the previous assistant turn', async () => {
    const body = anthropicBody('', {
      messages: [
        { role: 'user', content: `read it ${marker()}` },
        { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_missing', content: 'x' }] },
      ],
    });
    const response = await post('/v1/messages', body);
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: { message: string } };
    expect(json.error.message).toContain(
      'unexpected `tool_use_id` found in `tool_result` blocks: toolu_missing',
    );
  });

  it('rejects a tool_use left without its tool_result', async () => {
    const body = anthropicBody('', {
      messages: [
        { role: 'user', content: `read it ${marker()}` },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'readFile', input: {} }] },
        { role: 'user', content: 'and?' },
      ],
    });
    const response = await post('/v1/messages', body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      '`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1',
    );
  });

  it('rejects empty text blocks and tampered thinking signatures', async () => {
    const empty = await post(
      '/v1/messages',
      anthropicBody('', { messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }),
    );
    expect(empty.status).toBe(400);
    const tampered = await post(
      '/v1/messages',
      anthropicBody('', {
        messages: [
          { role: 'user', content: `hi ${marker()}` },
          {
            role: 'assistant',
            content: [{ type: 'thinking', thinking: 'changed', signature: signThinking('original') }],
          },
          { role: 'user', content: 'go on' },
        ],
      }),
    );
    expect(tampered.status).toBe(400);
    expect(((await tampered.json()) as { error: { message: string } }).error.message).toContain(
      'Invalid `signature`',
    );
  });

  it('with thinking on, wants the tool-use turn to start with its thinking block', async () => {
    const body = anthropicBody('', {
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: `read ${marker()}` },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'readFile', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'data' }] },
      ],
    });
    const response = await post('/v1/messages', body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      'Expected `thinking` or `redacted_thinking`, but found `tool_use`',
    );
    const budget = await post(
      '/v1/messages',
      anthropicBody(marker(), { max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 1024 } }),
    );
    expect(budget.status).toBe(400);
  });

  it('rejects an OpenAI function_call_output without its function_call, and a call without output', async () => {
    const orphan = await post(
      '/v1/responses',
      openaiBody('', {
        input: [
          { role: 'user', content: `hi ${marker()}` },
          { type: 'function_call_output', call_id: 'call_nope', output: 'x' },
        ],
      }),
    );
    expect(orphan.status).toBe(400);
    expect(await orphan.json()).toMatchObject({
      error: {
        message: 'No tool call found for function call output with call_id call_nope.',
        type: 'invalid_request_error',
      },
    });
    const unanswered = await post(
      '/v1/responses',
      openaiBody('', {
        input: [
          { role: 'user', content: `hi ${marker()}` },
          { type: 'function_call', call_id: 'call_1', name: 'readFile', arguments: '{}' },
        ],
      }),
    );
    expect(unanswered.status).toBe(400);
    expect(((await unanswered.json()) as { error: { message: string } }).error.message).toBe(
      'No tool output found for function call call_1.',
    );
  });

  it('answers 401 without a key, and for a key not in apiKeys', async () => {
    const openai = await fetch(`${llm.url}/v1/responses`, {
      method: 'POST',
      body: JSON.stringify(openaiBody('x')),
    });
    expect(openai.status).toBe(401);
    expect(((await openai.json()) as { error: { message: string } }).error.message).toContain(
      "You didn't provide an API key",
    );
    const anthropic = await fetch(`${llm.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify(anthropicBody('x')),
    });
    expect(anthropic.status).toBe(401);
    expect(await anthropic.json()).toMatchObject({
      error: { type: 'authentication_error', message: 'x-api-key header is required' },
    });

    const strict = await startTestLlm({ apiKeys: ['good-key'] });
    try {
      const wrong = await fetch(`${strict.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': 'bad-key' },
        body: JSON.stringify(anthropicBody('x')),
      });
      expect(wrong.status).toBe(401);
      expect(strict.requests[0]?.status).toBe(401);
      expect(await strict.requests[0]?.outcome).toBe('rejected');
    } finally {
      await strict.close();
    }
  });
});

describe('scripted turns in the provider wire format', () => {
  it('OpenAI: multi-part reasoning summary with encrypted content, text, parallel calls, usage', async () => {
    const tag = marker();
    llm.addRule({
      match: { marker: tag },
      reply: {
        kind: 'turn',
        parts: [
          { type: 'reasoning', text: ['first part', 'second part'] },
          { type: 'text', text: 'Hello world' },
          { type: 'tool_call', name: 'readFile', arguments: { path: 'a.txt' } },
          { type: 'tool_call', name: 'listDir', arguments: { path: '.' } },
        ],
        usage: { input: 50, output: 20, reasoning: 8, cached: 10 },
      },
    });
    const list = await events(
      await post(
        '/v1/responses',
        openaiBody(tag, { reasoning: { summary: 'auto' }, include: ['reasoning.encrypted_content'] }),
      ),
    );
    const types = list.map((e) => e.event);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    for (const e of list) expect(e.data.type).toBe(e.event);
    expect(list.map((e) => e.data.sequence_number)).toEqual(list.map((_, i) => i));
    const summary = list
      .filter((e) => e.event === 'response.reasoning_summary_text.done')
      .map((e) => e.data.text);
    expect(summary).toEqual(['first part', 'second part']);
    const reasoningDone = list.find(
      (e) => e.event === 'response.output_item.done' && e.data.item.type === 'reasoning',
    );
    expect(reasoningDone?.data.item.encrypted_content).toMatch(/^gAAAA/);
    const text = list.filter((e) => e.event === 'response.output_text.delta').map((e) => e.data.delta);
    expect(text.join('')).toBe('Hello world');
    const calls = list.filter(
      (e) => e.event === 'response.output_item.done' && e.data.item.type === 'function_call',
    );
    expect(calls.map((c) => [c.data.item.name, JSON.parse(c.data.item.arguments)])).toEqual([
      ['readFile', { path: 'a.txt' }],
      ['listDir', { path: '.' }],
    ]);
    expect(list.at(-1)?.data.response.usage).toEqual({
      input_tokens: 50,
      input_tokens_details: { cached_tokens: 10 },
      output_tokens: 20,
      output_tokens_details: { reasoning_tokens: 8 },
      total_tokens: 70,
    });
  });

  it('OpenAI: no reasoning item when the request did not ask for reasoning', async () => {
    const tag = marker();
    llm.addRule({ match: { marker: tag }, reply: replies.text('plain', { reasoning: 'hidden' }) });
    const list = await events(await post('/v1/responses', openaiBody(tag)));
    expect(
      list.some((e) => e.event === 'response.output_item.added' && e.data.item.type === 'reasoning'),
    ).toBe(false);
  });

  it('Anthropic: thinking with a signature only when thinking is enabled; tool_use with streamed input', async () => {
    const tag = marker();
    llm.addRule({
      match: { marker: tag },
      reply: replies.toolCalls([{ name: 'readFile', arguments: { path: 'x' }, callId: 'toolu_fixed' }], {
        reasoning: 'think',
      }),
    });
    const on = await events(
      await post('/v1/messages', anthropicBody(tag, { thinking: { type: 'enabled', budget_tokens: 1024 } })),
    );
    const signature = on.find(
      (e) => e.event === 'content_block_delta' && e.data.delta.type === 'signature_delta',
    );
    expect(signature?.data.delta.signature).toBe(signThinking('think'));
    const json = on
      .filter((e) => e.event === 'content_block_delta' && e.data.delta.type === 'input_json_delta')
      .map((e) => e.data.delta.partial_json);
    expect(json[0]).toBe('');
    expect(JSON.parse(json.join(''))).toEqual({ path: 'x' });
    expect(on.find((e) => e.event === 'message_delta')?.data.delta.stop_reason).toBe('tool_use');
    expect(on.at(-1)?.event).toBe('message_stop');

    const off = await events(await post('/v1/messages', anthropicBody(tag)));
    expect(
      off.some((e) => e.event === 'content_block_start' && e.data.content_block.type === 'thinking'),
    ).toBe(false);
  });

  it('mid-stream errors: Anthropic overloaded_error, OpenAI response.failed', async () => {
    const tag = marker();
    llm.addRule({
      match: { marker: tag },
      reply: { ...replies.text('abcdefghijkl'), error: { afterEvents: 4 } },
    });
    const anthropic = await events(await post('/v1/messages', anthropicBody(tag)));
    expect(anthropic).toHaveLength(5);
    expect(anthropic.at(-1)).toMatchObject({
      event: 'error',
      data: { type: 'error', error: { type: 'overloaded_error' } },
    });
    const openai = await events(await post('/v1/responses', openaiBody(tag)));
    expect(openai.at(-1)).toMatchObject({
      event: 'response.failed',
      data: { response: { status: 'failed', error: { code: 'server_error' } } },
    });
  });

  it('HTTP errors carry the provider JSON body and headers', async () => {
    const tag = marker();
    llm.addRule({
      match: { marker: tag },
      reply: replies.httpError(429, { headers: { 'retry-after': '7' } }),
    });
    const openai = await post('/v1/responses', openaiBody(tag));
    expect(openai.status).toBe(429);
    expect(openai.headers.get('retry-after')).toBe('7');
    expect(await openai.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
    const anthropic = await post('/v1/messages', anthropicBody(tag));
    expect(anthropic.status).toBe(429);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(await lastRequest(tag).outcome).toBe('http_error');
  });

  it('drops the connection after the given number of events', async () => {
    const tag = marker();
    llm.addRule({ match: { marker: tag }, reply: { ...replies.text('x'.repeat(60)), dropAfterEvents: 5 } });
    const response = await post('/v1/messages', anthropicBody(tag));
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    const request = lastRequest(tag);
    expect(await request.outcome).toBe('dropped');
    expect(request.eventsSent).toBe(5);
  });

  it('sees a client that goes away mid-stream', async () => {
    const tag = marker();
    llm.addRule({
      match: { marker: tag },
      reply: { ...replies.text('y'.repeat(200), { chunkSize: 1 }), delayMs: 5 },
    });
    const controller = new AbortController();
    const response = await fetch(`${llm.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
      body: JSON.stringify(openaiBody(tag)),
      signal: controller.signal,
    });
    await response.body?.getReader().read();
    controller.abort();
    const request = lastRequest(tag);
    expect(await request.outcome).toBe('client_closed');
  });
});

describe('rule selection', () => {
  it('matches on step / tool outputs and honours `times`', async () => {
    const tag = marker();
    llm.addRule({ match: { marker: tag, hasToolOutputs: false }, reply: replies.text('first'), times: 1 });
    llm.addRule({ match: { marker: tag, step: 2 }, reply: replies.text('second') });
    llm.addRule({ match: { marker: tag }, reply: replies.text('later') });
    const text = async (body: unknown) =>
      (await events(await post('/v1/responses', body)))
        .filter((e) => e.event === 'response.output_text.delta')
        .map((e) => e.data.delta)
        .join('');
    expect(await text(openaiBody(tag))).toBe('first');
    expect(await text(openaiBody(tag))).toBe('later');
    const withOutputs = openaiBody('', {
      input: [
        { role: 'user', content: `go ${tag}` },
        { type: 'function_call', call_id: 'call_a', name: 'readFile', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_a', output: 'data' },
      ],
    });
    expect(await text(withOutputs)).toBe('second');
    const request = lastRequest(tag);
    expect(request.step).toBe(2);
    expect(request.stepToolResults).toEqual([{ callId: 'call_a', output: 'data', isError: false }]);
    expect(request.lastUserText).toBe(`go ${tag}`);
  });
});

describe('default script (keyless demo)', () => {
  it('reads a file through the declared tool, then answers with its output', async () => {
    const demo = await startTestLlm();
    try {
      const tools = [
        { name: 'readFile', input_schema: { type: 'object', properties: { path: { type: 'string' } } } },
      ];
      const first = await fetch(`${demo.anthropicBaseUrl}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': 'k' },
        body: JSON.stringify(anthropicBody('please read the file notes/todo.md', { tools })),
      });
      const list = await events(first);
      const start = list.find(
        (e) => e.event === 'content_block_start' && e.data.content_block.type === 'tool_use',
      );
      expect(start?.data.content_block.name).toBe('readFile');
      const args = list
        .filter((e) => e.event === 'content_block_delta' && e.data.delta.type === 'input_json_delta')
        .map((e) => e.data.delta.partial_json)
        .join('');
      expect(JSON.parse(args)).toEqual({ path: 'notes/todo.md' });
      const id = start?.data.content_block.id as string;
      const second = await fetch(`${demo.anthropicBaseUrl}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': 'k' },
        body: JSON.stringify(
          anthropicBody('', {
            tools,
            messages: [
              { role: 'user', content: 'please read the file notes/todo.md' },
              {
                role: 'assistant',
                content: [{ type: 'tool_use', id, name: 'readFile', input: { path: 'notes/todo.md' } }],
              },
              { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'buy milk' }] },
            ],
          }),
        ),
      });
      const answer = (await events(second))
        .filter((e) => e.event === 'content_block_delta' && e.data.delta.type === 'text_delta')
        .map((e) => e.data.delta.text)
        .join('');
      expect(answer).toContain('buy milk');
    } finally {
      await demo.close();
    }
  });

  it('echoes a plain prompt', async () => {
    const demo = await startTestLlm();
    try {
      const list = await events(
        await fetch(`${demo.openaiBaseUrl}/responses`, {
          method: 'POST',
          headers: { authorization: 'Bearer k' },
          body: JSON.stringify(openaiBody('what is a monad?')),
        }),
      );
      const text = list
        .filter((e) => e.event === 'response.output_text.delta')
        .map((e) => e.data.delta)
        .join('');
      expect(text).toContain('You said: "what is a monad?"');
    } finally {
      await demo.close();
    }
  });
});
