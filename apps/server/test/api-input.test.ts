import { randomUUID } from 'node:crypto';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { countKeys, listAllThreads, runToEnd } from './support-runs';

interface ErrorReply {
  error: { code: string; message: string; details?: unknown };
}

let stack: Stack;
let noAnthropicKey: Stack;
let withToken: Stack;
const TOKEN = `token-${randomUUID()}`;

beforeAll(async () => {
  [stack, noAnthropicKey, withToken] = await Promise.all([
    startStack({ rules: [{ match: { marker: 'TC-API' }, reply: replies.text('fine') }] }),
    startStack({ env: { ANTHROPIC_API_KEY: '' } }),
    startStack({
      env: { CODY_API_TOKEN: TOKEN },
      rules: [{ match: { marker: 'TC-API' }, reply: replies.text('fine') }],
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([stack?.close(), noAnthropicKey?.close(), withToken?.close()]);
});

/** What a request could have written: threads, Redis keys, provider calls. */
async function footprint(on: Stack) {
  return {
    threads: (await listAllThreads(on).catch(() => [])).length,
    keys: await countKeys(on),
    llmRequests: on.llm.requests.length,
  };
}

/** Sends a raw request (any body, any content type). */
async function raw(
  on: Stack,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${on.baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json: json as ErrorReply, headers: res.headers };
}

/** A client mistake: the given 4xx, `{error:{code,message}}` naming the problem, nothing written. */
async function expectRejected(
  on: Stack,
  send: () => Promise<{ status: number; json: ErrorReply }>,
  expected: { status: number; code: string; names: (string | RegExp)[] },
) {
  const before = await footprint(on);
  const reply = await send();
  expect(reply.status, JSON.stringify(reply.json)).toBe(expected.status);
  expect(reply.json.error.code).toBe(expected.code);
  expect(typeof reply.json.error.message).toBe('string');
  for (const name of expected.names) expect(reply.json.error.message).toMatch(name);
  expect(await footprint(on)).toEqual(before);
  return reply.json.error;
}

const submit = (on: Stack, body: unknown, headers: Record<string, string> = {}) =>
  raw(on, 'POST', '/api/v2/submit', typeof body === 'string' ? body : JSON.stringify(body), {
    'content-type': 'application/json',
    ...headers,
  });

describe('[TC-API] submit: missing or wrong-typed fields', () => {
  it.each([
    ['no prompt', {}, ['body.prompt', /Required/]],
    ['prompt of the wrong type', { prompt: 42 }, ['body.prompt', /string/]],
    ['an empty prompt', { prompt: '   ' }, ['body.prompt', /empty/]],
    ['a prompt over the limit', { prompt: 'x'.repeat(200_001) }, ['body.prompt']],
    ['providerId of the wrong type', { prompt: 'hi TC-API', providerId: 7 }, ['body.providerId']],
    ['model of the wrong type', { prompt: 'hi TC-API', model: ['gpt-5'] }, ['body.model']],
    ['threadId that is not a UUID', { prompt: 'hi TC-API', threadId: 'thread-1' }, ['body.threadId']],
    ['runId that is not a UUID', { prompt: 'hi TC-API', runId: 42 }, ['body.runId']],
    ['an unknown reasoning effort', { prompt: 'hi TC-API', reasoning: 'maximal' }, ['body.reasoning']],
    ['an unknown field', { prompt: 'hi TC-API', temperature: 2 }, ['temperature']],
    ['a body that is an array', [{ prompt: 'hi' }], ['body']],
    ['a body that is a string', '"hi"', ['body']],
  ] as const)('%s → 400 VALIDATION_ERROR naming the field', async (_name, body, names) => {
    const error = await expectRejected(stack, () => submit(stack, body), {
      status: 400,
      code: 'VALIDATION_ERROR',
      names: [...names],
    });
    expect(error.details).toMatchObject({ issues: expect.any(Array) });
  });
});

describe('[TC-API] submit: unknown provider, model, thread', () => {
  it('unknown provider → 400 UNKNOWN_PROVIDER naming it', async () => {
    await expectRejected(stack, () => submit(stack, { prompt: 'hi TC-API', providerId: 'mistral' }), {
      status: 400,
      code: 'UNKNOWN_PROVIDER',
      names: ['mistral'],
    });
  });

  it('unknown model → 400 UNKNOWN_MODEL naming it', async () => {
    await expectRejected(
      stack,
      () => submit(stack, { prompt: 'hi TC-API', providerId: 'anthropic', model: 'gpt-5-mini' }),
      {
        status: 400,
        code: 'UNKNOWN_MODEL',
        names: ['gpt-5-mini', 'anthropic'],
      },
    );
  });

  it('unknown thread → 404 THREAD_NOT_FOUND naming it', async () => {
    const threadId = randomUUID();
    await expectRejected(stack, () => submit(stack, { prompt: 'hi TC-API', threadId }), {
      status: 404,
      code: 'THREAD_NOT_FOUND',
      names: [threadId],
    });
  });

  it('a runId already taken → 409 RUN_ALREADY_EXISTS, and no thread is created for it', async () => {
    const first = await runToEnd(stack, {
      prompt: 'first TC-API',
      providerId: 'openai',
      model: 'gpt-5-mini',
    });
    expect(first.stored.status).toBe('complete');
    await expectRejected(stack, () => submit(stack, { prompt: 'again TC-API', runId: first.runId }), {
      status: 409,
      code: 'RUN_ALREADY_EXISTS',
      names: [first.runId],
    });
    // also once the run's stream has expired and only its snapshot is left
    await stack.redis.del(`${stack.prefix}run:{${first.runId}}:events`);
    await expectRejected(
      stack,
      () => submit(stack, { prompt: 'again TC-API', runId: first.runId, threadId: first.threadId }),
      {
        status: 409,
        code: 'RUN_ALREADY_EXISTS',
        names: [first.runId],
      },
    );
  });
});

describe('[TC-API] submit: bodies that are not what the API takes', () => {
  it('an oversized body → 413 PAYLOAD_TOO_LARGE', async () => {
    const body = JSON.stringify({ prompt: 'x'.repeat(2 * 1024 * 1024) });
    await expectRejected(stack, () => submit(stack, body), {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      names: [/large/i],
    });
  });

  it.each([
    ['cut-off JSON', '{"prompt": "hi'],
    ['not JSON at all', 'prompt=hi'],
    ['a trailing comma', '{"prompt": "hi",}'],
  ])('garbage JSON (%s) → 400 INVALID_JSON', async (_name, body) => {
    await expectRejected(stack, () => submit(stack, body), {
      status: 400,
      code: 'INVALID_JSON',
      names: [/JSON/],
    });
  });

  it('an empty JSON body → 400', async () => {
    await expectRejected(stack, () => submit(stack, ''), {
      status: 400,
      code: 'INVALID_JSON',
      names: [/empty/i],
    });
  });

  it('the wrong content type → 415 UNSUPPORTED_MEDIA_TYPE naming it', async () => {
    await expectRejected(
      stack,
      () => raw(stack, 'POST', '/api/v2/submit', 'prompt: hi', { 'content-type': 'text/yaml' }),
      {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        names: [/text\/yaml/],
      },
    );
  });
});

describe('[TC-API] other routes', () => {
  it.each([
    ['GET', `/api/v2/runs/${randomUUID()}`, 404, 'RUN_NOT_FOUND', undefined, [/run .* not found/]],
    ['POST', `/api/v2/runs/${randomUUID()}/cancel`, 404, 'RUN_NOT_FOUND', undefined, [/not found/]],
    ['GET', `/api/v2/stream/${randomUUID()}`, 404, 'RUN_NOT_FOUND', undefined, [/not found/]],
    ['GET', `/api/v2/threads/${randomUUID()}`, 404, 'THREAD_NOT_FOUND', undefined, [/not found/]],
    ['PATCH', `/api/v2/threads/${randomUUID()}`, 404, 'THREAD_NOT_FOUND', { title: 'x' }, [/not found/]],
    ['DELETE', `/api/v2/threads/${randomUUID()}`, 404, 'THREAD_NOT_FOUND', undefined, [/not found/]],
    ['GET', '/api/v2/threads?limit=0', 400, 'VALIDATION_ERROR', undefined, ['querystring.limit']],
    ['GET', '/api/v2/threads?limit=lots', 400, 'VALIDATION_ERROR', undefined, ['querystring.limit']],
    ['POST', '/api/v2/threads', 400, 'VALIDATION_ERROR', { title: 5 }, ['body.title']],
    [
      'GET',
      `/api/v2/stream/${randomUUID()}?from=yesterday`,
      400,
      'VALIDATION_ERROR',
      undefined,
      ['querystring.from'],
    ],
    ['GET', '/api/v2/nothing-here', 404, 'NOT_FOUND', undefined, ['/api/v2/nothing-here']],
    ['PUT', '/api/v2/submit', 405, 'METHOD_NOT_ALLOWED', { prompt: 'hi' }, ['PUT', 'POST']],
  ] as const)('%s %s → %i %s', async (method, path, status, code, body, names) => {
    await expectRejected(
      stack,
      () =>
        raw(
          stack,
          method,
          path,
          body === undefined ? undefined : JSON.stringify(body),
          body === undefined ? {} : { 'content-type': 'application/json' },
        ),
      { status, code, names: [...names] },
    );
  });

  it('renaming an existing thread to an empty title → 400 naming body.title, the thread unchanged', async () => {
    const created = await stack.api<{ id: string; title: string }>('POST', '/api/v2/threads', {
      title: 'Keep me',
    });
    await expectRejected(
      stack,
      () =>
        raw(stack, 'PATCH', `/api/v2/threads/${created.json.id}`, JSON.stringify({ title: '  ' }), {
          'content-type': 'application/json',
        }),
      {
        status: 400,
        code: 'VALIDATION_ERROR',
        names: ['body.title'],
      },
    );
    expect(
      (await stack.api<{ thread: { title: string } }>('GET', `/api/v2/threads/${created.json.id}`)).json
        .thread.title,
    ).toBe('Keep me');
  });

  it('a resume id that is not a stream id → 400 naming the header', async () => {
    const run = await runToEnd(stack, { prompt: 'resume TC-API', providerId: 'openai', model: 'gpt-5-mini' });
    await expectRejected(
      stack,
      () => raw(stack, 'GET', `/api/v2/stream/${run.runId}`, undefined, { 'last-event-id': 'not-an-id' }),
      {
        status: 400,
        code: 'VALIDATION_ERROR',
        names: ['last-event-id'],
      },
    );
  });
});

describe('[TC-API] provider without credentials', () => {
  it('→ 400 CONFIGURATION_ERROR naming the missing key; the other provider still works', async () => {
    await expectRejected(
      noAnthropicKey,
      () => submit(noAnthropicKey, { prompt: 'hi', providerId: 'anthropic', model: 'claude-haiku-4.5' }),
      {
        status: 400,
        code: 'CONFIGURATION_ERROR',
        names: ['ANTHROPIC_API_KEY'],
      },
    );
    const config = await noAnthropicKey.api<{ providers: { id: string; configured: boolean }[] }>(
      'GET',
      '/api/v2/config',
    );
    expect(config.json.providers.find((p) => p.id === 'anthropic')?.configured).toBe(false);
    expect(config.json.providers.find((p) => p.id === 'openai')?.configured).toBe(true);
    const run = await runToEnd(noAnthropicKey, {
      prompt: 'hi there',
      providerId: 'openai',
      model: 'gpt-5-mini',
    });
    expect(run.stored.status).toBe('complete');
  });
});

describe('[TC-API] bearer token when CODY_API_TOKEN is set', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer wrong' }],
    ['the token without the Bearer scheme', { authorization: TOKEN }],
  ])(
    '%s → 401 UNAUTHORIZED on every /api route, nothing written',
    async (_name, headers: Record<string, string>) => {
      await expectRejected(withToken, () => submit(withToken, { prompt: 'hi TC-API' }, headers), {
        status: 401,
        code: 'UNAUTHORIZED',
        names: ['CODY_API_TOKEN'],
      });
      const list = await raw(withToken, 'GET', '/api/v2/threads', undefined, headers);
      expect(list.status).toBe(401);
      expect(list.headers.get('www-authenticate')).toBe('Bearer');
    },
  );

  it('the right token is let through; /health needs none', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const submitted = await submit(
      withToken,
      { prompt: 'hi TC-API', providerId: 'openai', model: 'gpt-5-mini' },
      auth,
    );
    expect(submitted.status).toBe(202);
    const { runId } = submitted.json as unknown as { runId: string };
    const stored = await raw(withToken, 'GET', `/api/v2/runs/${runId}`, undefined, auth);
    expect(stored.status).toBe(200);
    expect((await raw(withToken, 'GET', '/health')).status).toBe(200);
  });
});

describe('[TC-API] service routes', () => {
  it('/health → 200 with Redis and store up', async () => {
    const health = await stack.api<{
      status: string;
      redis: { status: string };
      store: { status: string; kind: string };
    }>('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.json).toEqual({
      status: 'ok',
      redis: { status: 'up' },
      store: { status: 'up', kind: 'redis' },
    });
  });

  it('/docs serves the OpenAPI UI and /docs/json the document', async () => {
    const ui = await fetch(`${stack.baseUrl}/docs`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
    expect(await ui.text()).toMatch(/swagger/i);

    const doc = await stack.api<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/docs/json',
    );
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/api/v2/submit',
        '/api/v2/stream/{runId}',
        '/api/v2/runs/{id}',
        '/api/v2/runs/{id}/cancel',
        '/api/v2/threads',
        '/api/v2/threads/{id}',
      ]),
    );
    const submitBody = JSON.stringify(doc.json.paths['/api/v2/submit']?.post);
    expect(submitBody).toContain('prompt');
  });
});
