// The HTTP trust boundary tried as an attacker would (issue #10): path spellings around the
// token, foreign Origins, DNS-rebinding Hosts, rate limits, the server's own 4xx answers and
// the security headers. Real server, Redis, workers and store; the test LLM at the wire.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { readSse, type Stack, startStack } from './harness';
import { type RawReply, rawRequest, rawSocket } from './support-raw-http';

const TOKEN = `tok-${randomUUID()}`;
const AUTH = { authorization: `Bearer ${TOKEN}` };
const LISTED_ORIGIN = 'https://listed.example';
const EVIL_ORIGIN = 'https://evil.example';
// written through the API with the token; no unauthenticated answer may contain it
const CANARY = `canary-${randomUUID()}`;

let guarded: Stack;
let limited: Stack;
let webDist: string;
let threadId: string;
let runId: string;

beforeAll(async () => {
  // a stand-in build of the web app: the static shell is served without the token
  webDist = mkdtempSync(join(tmpdir(), 'cody-attack-web-'));
  mkdirSync(join(webDist, 'assets'));
  writeFileSync(
    join(webDist, 'index.html'),
    '<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body>Cody shell</body></html>',
  );
  writeFileSync(join(webDist, 'assets', 'app.js'), 'console.log("shell")\n');
  [guarded, limited] = await Promise.all([
    startStack({
      env: {
        CODY_API_TOKEN: TOKEN,
        CODY_CORS_ORIGINS: LISTED_ORIGIN,
        CODY_ALLOWED_HOSTS: 'cody.internal',
        CODY_WEB_DIST: webDist,
      },
      rules: [{ match: { marker: 'ATTACK' }, reply: replies.text(`answer ${CANARY}`) }],
    }),
    startStack({
      env: {
        CODY_API_TOKEN: TOKEN,
        CODY_RATE_LIMIT_API: '5',
        CODY_RATE_LIMIT_SUBMIT: '2',
        // one window for the whole file, so no reset can fall between two requests of a test
        CODY_RATE_LIMIT_WINDOW_SECONDS: '3600',
      },
      rules: [{ match: { marker: 'ATTACK' }, reply: replies.text('limited answer') }],
    }),
  ]);
  const thread = await send(guarded, {
    method: 'POST',
    path: '/api/v2/threads',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify({ title: CANARY }),
  });
  expect(thread.status, thread.text).toBe(201);
  threadId = thread.json.id as string;
  const submitted = await send(guarded, {
    method: 'POST',
    path: '/api/v2/submit',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: `ATTACK ${CANARY}`, threadId }),
  });
  expect(submitted.status, submitted.text).toBe(202);
  runId = submitted.json.runId as string;
  await readSse(`${guarded.baseUrl}/api/v2/stream/${runId}`, { headers: AUTH });
});
afterAll(async () => {
  await Promise.all([guarded?.close(), limited?.close()]);
  rmSync(webDist, { recursive: true, force: true });
});

const send = (on: Stack, options: Parameters<typeof rawRequest>[1]) => rawRequest(on.baseUrl, options);

/** A refusal that serves nothing: the JSON envelope with one of `codes`, no canary. */
function expectRefused(reply: RawReply, codes: string[], what: string) {
  expect(codes, `${what} → ${reply.status} ${reply.text.slice(0, 300)}`).toContain(reply.json?.error?.code);
  expect(reply.headers['content-type'], what).toMatch(/^application\/json/);
  expect(reply.text, what).not.toContain(CANARY);
  expect(reply.text, what).not.toContain(runId);
}

describe('auth is decided on the matched route', () => {
  // percent-escapes the router decodes: they reach the real route, so the route's token check
  const decodedSpellings = [
    '/%61pi/v2/threads',
    '/api/v2/%74hreads',
    '/%61%70%69/v2/threads?limit=5',
    'http://127.0.0.1/api/v2/threads', // absolute-form request target
  ];
  // spellings the router does not match: a 404 envelope, never a handler
  const unmatchedSpellings = [
    '//api/v2/threads',
    '/api//v2/threads',
    '/api/v2//threads',
    '/api/./v2/threads',
    '/api/v2/./threads',
    '/API/v2/threads',
    '/Api/V2/Threads',
    '/api/v2/threads/',
    '/api/v2/threads;x=1',
    '/api;x=1/v2/threads',
    '/api/v2/x/../threads',
    '/api/v2/x/%2e%2e/threads',
    '/%2561pi/v2/threads',
    '/api%2Fv2/threads',
    '/api/v2/threads%2F',
    '/api/v2/threads%00',
    '/api/v2/threads%20',
    '/api/v2/threads\\',
    '/docs/json/',
    '/DOCS/json',
  ];

  it.each(decodedSpellings)('GET %s without the token → 401', async (path) => {
    const reply = await send(guarded, { path });
    expect(reply.status, reply.text).toBe(401);
    expect(reply.headers['www-authenticate']).toBe('Bearer');
    expectRefused(reply, [ERROR_CODES.UNAUTHORIZED], path);
  });

  it.each(decodedSpellings)('GET %s with the token → the thread list', async (path) => {
    const reply = await send(guarded, { path, headers: AUTH });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.text).toContain(CANARY);
  });

  it.each(unmatchedSpellings)('GET %s → 401 or the 404 envelope, never data', async (path) => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
      const reply = await send(guarded, { path, headers });
      // 400: a path the router cannot decode (`%00`)
      expect([400, 401, 404], `${path} → ${reply.status}`).toContain(reply.status);
      expectRefused(reply, [ERROR_CODES.BAD_REQUEST, ERROR_CODES.UNAUTHORIZED, ERROR_CODES.NOT_FOUND], path);
    }
  });

  it('every data route, each spelled plainly and escaped, refuses without the token', async () => {
    const routes = [
      ['GET', `/api/v2/threads/${threadId}`],
      ['GET', `/%61pi/v2/threads/${threadId}`],
      ['GET', `/api/v2/runs/${runId}`],
      ['GET', `/api/v2/r%75ns/${runId}`],
      ['GET', `/api/v2/stream/${runId}`],
      ['GET', `/api/v2/%73tream/${runId}`],
      ['GET', '/api/v2/config'],
      ['GET', '/docs'],
      ['GET', '/docs/json'],
      ['GET', '/docs/%6Ason'],
      ['GET', '/docs/yaml'],
      ['GET', '/docs/static/index.html'],
      ['HEAD', '/api/v2/threads'],
      ['HEAD', `/api/v2/runs/${runId}`],
      ['PATCH', `/api/v2/threads/${threadId}`],
      ['DELETE', `/%61pi/v2/threads/${threadId}`],
      ['POST', `/api/v2/runs/${runId}/cancel`],
      ['POST', `/api/v2/runs/${runId}/approvals/call_x`],
      ['POST', '/api/v2/threads'],
      ['PUT', '/api/v2/threads'], // 405 routes are behind the token as well
    ] as const;
    for (const [method, path] of routes) {
      const reply = await send(guarded, {
        method,
        path,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' || method === 'HEAD' ? undefined : JSON.stringify({ title: 'x' }),
      });
      expect(reply.status, `${method} ${path} → ${reply.status} ${reply.text.slice(0, 200)}`).toBe(401);
      if (method !== 'HEAD') expectRefused(reply, [ERROR_CODES.UNAUTHORIZED], `${method} ${path}`);
    }
    // nothing was changed by those attempts
    const thread = await send(guarded, { path: `/api/v2/threads/${threadId}`, headers: AUTH });
    expect(thread.status).toBe(200);
    expect((thread.json.thread as { title: string }).title).toBe(CANARY);
  });

  it('submit in any spelling without the token runs nothing', async () => {
    const before = guarded.llm.requests.length;
    for (const path of [
      '/api/v2/submit',
      '/%61pi/v2/submit',
      '/api/v2/%73ubmit',
      '/api/v2/submit/',
      '/API/v2/submit',
    ]) {
      for (const authorization of [undefined, 'Bearer ', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) {
        const reply = await send(guarded, {
          method: 'POST',
          path,
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: JSON.stringify({ prompt: 'ATTACK should never run' }),
        });
        expect([401, 404], `${path} ${authorization} → ${reply.status}`).toContain(reply.status);
        expectRefused(reply, [ERROR_CODES.UNAUTHORIZED, ERROR_CODES.NOT_FOUND], path);
      }
    }
    expect(guarded.llm.requests.length).toBe(before);
  });

  it('a token in the query string is not a token', async () => {
    for (const query of [`token=${TOKEN}`, `access_token=${TOKEN}`, `authorization=Bearer%20${TOKEN}`]) {
      const reply = await send(guarded, { path: `/api/v2/threads?${query}` });
      expect(reply.status).toBe(401);
    }
  });

  it('the token works everywhere it is needed, the SSE stream included; /health and the shell need none', async () => {
    for (const path of ['/api/v2/threads', `/api/v2/runs/${runId}`, '/api/v2/config', '/docs/json']) {
      const reply = await send(guarded, { path, headers: AUTH });
      expect(reply.status, `${path}: ${reply.text.slice(0, 200)}`).toBe(200);
    }
    const docs = await send(guarded, { path: '/docs', headers: AUTH });
    expect(docs.status).toBe(200);
    expect(docs.text).toMatch(/swagger/i);
    const messages = await readSse(`${guarded.baseUrl}/api/v2/stream/${runId}`, { headers: AUTH });
    expect(messages.some((message) => message.data.includes(CANARY))).toBe(true);
    await expect(readSse(`${guarded.baseUrl}/api/v2/stream/${runId}`)).rejects.toMatchObject({ status: 401 });

    expect((await send(guarded, { path: '/health' })).status).toBe(200);
    const shell = await send(guarded, { path: '/' });
    expect(shell.status).toBe(200);
    expect(shell.text).toContain('Cody shell');
    expect((await send(guarded, { path: '/assets/app.js' })).status).toBe(200);
    // the shell's files are all that is public: traversal out of them finds nothing
    for (const path of ['/../package.json', '/assets/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd']) {
      const reply = await send(guarded, { path });
      expect([403, 404], `${path} → ${reply.status}`).toContain(reply.status);
      expect(reply.text).not.toMatch(/"name":|root:/);
    }
  });
});

describe('Origin and Host', () => {
  const preflight = (on: Stack, origin: string) =>
    send(on, {
      method: 'OPTIONS',
      path: '/api/v2/submit',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
  const submitFrom = (on: Stack, headers: Record<string, string>) =>
    send(on, {
      method: 'POST',
      path: '/api/v2/submit',
      headers: { ...AUTH, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ prompt: `ATTACK from ${JSON.stringify(headers)}` }),
    });

  it('a preflight from a foreign Origin → 403, no access-control-allow-origin', async () => {
    for (const on of [guarded, limited]) {
      const reply = await preflight(on, EVIL_ORIGIN);
      expect(reply.status).toBe(403);
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
      expectRefused(reply, [ERROR_CODES.ORIGIN_NOT_ALLOWED], 'preflight');
      expect(reply.json.error?.message).toContain('CODY_CORS_ORIGINS');
    }
  });

  it('state-changing requests from a foreign or opaque Origin → 403 even with the token, nothing runs', async () => {
    const before = guarded.llm.requests.length;
    for (const headers of [
      { origin: EVIL_ORIGIN },
      { origin: 'null' },
      { origin: `http://127.0.0.1.evil.example:${new URL(guarded.baseUrl).port}` },
      { origin: `https://127.0.0.1:${new URL(guarded.baseUrl).port}.evil.example` },
      { 'sec-fetch-site': 'cross-site' },
    ] as Record<string, string>[]) {
      const reply = await submitFrom(guarded, headers);
      expect(reply.status, JSON.stringify(headers)).toBe(403);
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
      expectRefused(reply, [ERROR_CODES.ORIGIN_NOT_ALLOWED], JSON.stringify(headers));
    }
    for (const method of ['PATCH', 'DELETE']) {
      const reply = await send(guarded, {
        method,
        path: `/api/v2/threads/${threadId}`,
        headers: { ...AUTH, origin: EVIL_ORIGIN, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'renamed by evil' }),
      });
      expect(reply.status, method).toBe(403);
    }
    expect(guarded.llm.requests.length).toBe(before);
    const thread = await send(guarded, { path: `/api/v2/threads/${threadId}`, headers: AUTH });
    expect((thread.json.thread as { title: string }).title).toBe(CANARY);
  });

  it('reads from a foreign Origin get no CORS headers, so a browser cannot read them', async () => {
    const reply = await send(guarded, { path: '/api/v2/threads', headers: { ...AUTH, origin: EVIL_ORIGIN } });
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a listed origin gets CORS; the server’s own origin needs none', async () => {
    const allowed = await preflight(guarded, LISTED_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(LISTED_ORIGIN);
    expect(allowed.headers['access-control-allow-headers']).toMatch(/authorization/);
    const listed = await submitFrom(guarded, { origin: LISTED_ORIGIN });
    expect(listed.status, listed.text).toBe(202);
    expect(listed.headers['access-control-allow-origin']).toBe(LISTED_ORIGIN);
    const own = await submitFrom(guarded, { origin: guarded.baseUrl, 'sec-fetch-site': 'same-origin' });
    expect(own.status, own.text).toBe(202);
    const ownByName = await submitFrom(guarded, {
      origin: `http://localhost:${new URL(guarded.baseUrl).port}`,
      host: `localhost:${new URL(guarded.baseUrl).port}`,
    });
    expect(ownByName.status, ownByName.text).toBe(202);
    // without CODY_CORS_ORIGINS no origin is listed
    const unlisted = await preflight(limited, LISTED_ORIGIN);
    expect(unlisted.status).toBe(403);
  });

  it('a Host this server does not serve → 403 on every route (DNS rebinding)', async () => {
    const port = new URL(guarded.baseUrl).port;
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1.evil.example:${port}`,
      `localhost.evil.example:${port}`,
      '2130706433', // 127.0.0.1 as a number: refused, not guessed at
      `cody.internal.evil.example:${port}`,
    ]) {
      for (const path of ['/health', '/', '/api/v2/threads']) {
        const reply = await send(guarded, { path, headers: { ...AUTH, host } });
        expect([400, 403], `${host} ${path} → ${reply.status}`).toContain(reply.status);
        expectRefused(reply, [ERROR_CODES.HOST_NOT_ALLOWED, ERROR_CODES.BAD_REQUEST], `${host} ${path}`);
      }
    }
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `cody.internal:${port}`,
      'CODY.internal',
      'app.localhost',
    ]) {
      const reply = await send(guarded, { path: '/api/v2/threads', headers: { ...AUTH, host } });
      expect(reply.status, `${host}: ${reply.text.slice(0, 200)}`).toBe(200);
    }
    const noHost = await send(guarded, { path: '/health', setHost: false });
    expect(noHost.status).toBe(400);
    expectRefused(noHost, [ERROR_CODES.BAD_REQUEST], 'no Host');
  });

  it('a non-loopback HOST without a token refuses to start, naming CODY_API_TOKEN', async () => {
    for (const HOST of ['0.0.0.0', '::', '192.168.1.20', 'cody.example']) {
      expect(() => loadConfig({ HOST })).toThrow(/CODY_API_TOKEN/);
      expect(() => loadConfig({ HOST, CODY_API_TOKEN: TOKEN })).not.toThrow();
    }
    for (const HOST of ['127.0.0.1', 'localhost', '::1', '127.0.0.2'])
      expect(() => loadConfig({ HOST })).not.toThrow();
    expect(() => loadConfig({ CODY_CORS_ORIGINS: '*' })).toThrow(/CODY_CORS_ORIGINS/);
    expect(() => loadConfig({ CODY_CORS_ORIGINS: 'https://a.example/path' })).toThrow(/CODY_CORS_ORIGINS/);
    expect(() => loadConfig({ CODY_ALLOWED_HOSTS: 'http://a.example' })).toThrow(/CODY_ALLOWED_HOSTS/);
    expect(
      loadConfig({ CODY_CORS_ORIGINS: 'https://a.example, http://b.example:8080' }).CODY_CORS_ORIGINS,
    ).toEqual(['https://a.example', 'http://b.example:8080']);

    // the real entry point, as people start it
    const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..');
    const child = spawn(process.execPath, ['--conditions=@cody/source', '--import', 'tsx', 'src/main.ts'], {
      cwd: serverDir,
      env: { PATH: process.env.PATH ?? '', HOST: '0.0.0.0', PORT: '0', REDIS_URL: guarded.env.REDIS_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
    });
    child.stderr.on('data', (data: Buffer) => {
      output += data.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain('CODY_API_TOKEN');
    expect(output).not.toContain('Cody is running');
  });
});

describe('rate limits', () => {
  it('submit: over the limit → 429 RATE_LIMITED with Retry-After; other routes keep their own count', async () => {
    const submit = () =>
      send(limited, {
        method: 'POST',
        path: '/api/v2/submit',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'ATTACK limited' }),
      });
    expect((await submit()).status).toBe(202);
    expect((await submit()).status).toBe(202);
    const over = await submit();
    expect(over.status).toBe(429);
    expectRefused(over, [ERROR_CODES.RATE_LIMITED], 'submit over the limit');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    // the API's own counter is not spent by submits
    expect((await send(limited, { path: '/api/v2/threads', headers: AUTH })).status).toBe(200);
  });

  it('the API: wrong-token guesses count too; /health stays open', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push(
        (await send(limited, { path: '/api/v2/threads', headers: { authorization: `Bearer guess-${i}` } }))
          .status,
      );
    }
    // one request of the window went to /api/v2/threads in the test before
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(4)).toEqual([429, 429, 429, 429]);
    const withToken = await send(limited, { path: '/api/v2/config', headers: AUTH });
    expect(withToken.status).toBe(429);
    expect(Number(withToken.headers['retry-after'])).toBeGreaterThan(0);
    expect((await send(limited, { path: '/health' })).status).toBe(200);
  });
});

describe('the server’s own 4xx answers are JSON envelopes of bounded size', () => {
  it('404 unknown route, 405 wrong method (with Allow), 400 bad JSON, 415', async () => {
    const notFound = await send(guarded, { method: 'POST', path: '/nowhere', headers: AUTH });
    expect(notFound.status).toBe(404);
    expectRefused(notFound, [ERROR_CODES.NOT_FOUND], '404');
    const notFoundApi = await send(guarded, { path: '/api/v2/nowhere', headers: AUTH });
    expect(notFoundApi.status).toBe(404);
    expectRefused(notFoundApi, [ERROR_CODES.NOT_FOUND], '404 under /api');

    const wrongMethod = await send(guarded, { method: 'PUT', path: '/api/v2/threads', headers: AUTH });
    expect(wrongMethod.status).toBe(405);
    expectRefused(wrongMethod, [ERROR_CODES.METHOD_NOT_ALLOWED], '405');
    expect(wrongMethod.headers.allow).toMatch(/GET.*POST/);
    const wrongMethodById = await send(guarded, {
      method: 'POST',
      path: `/api/v2/threads/${threadId}`,
      headers: AUTH,
    });
    expect(wrongMethodById.status).toBe(405);

    const badJson = await send(guarded, {
      method: 'POST',
      path: '/api/v2/submit',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: '{"prompt": ',
    });
    expect(badJson.status).toBe(400);
    expectRefused(badJson, [ERROR_CODES.INVALID_JSON], 'bad JSON');

    const wrongType = await send(guarded, {
      method: 'POST',
      path: '/api/v2/submit',
      headers: { ...AUTH, 'content-type': 'text/yaml' },
      body: 'prompt=hi',
    });
    expect(wrongType.status).toBe(415);
    expectRefused(wrongType, [ERROR_CODES.UNSUPPORTED_MEDIA_TYPE], '415');
  });

  it('413 body too large, 414 target too long, 431 headers too large, 400 garbage request', async () => {
    const tooLarge = await send(guarded, {
      method: 'POST',
      path: '/api/v2/submit',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x'.repeat(1_100_000) }),
    });
    expect(tooLarge.status).toBe(413);
    expectRefused(tooLarge, [ERROR_CODES.PAYLOAD_TOO_LARGE], '413');

    const longTarget = await send(guarded, { path: `/api/v2/threads/${'a'.repeat(9000)}`, headers: AUTH });
    expect(longTarget.status).toBe(414);
    expectRefused(longTarget, [ERROR_CODES.URI_TOO_LONG], '414');
    expect(longTarget.text.length).toBeLessThan(1000);

    const bigHeaders = await send(guarded, {
      path: '/api/v2/threads',
      headers: { ...AUTH, 'x-filler': 'y'.repeat(20_000) },
    });
    expect(bigHeaders.status).toBe(431);
    expectRefused(bigHeaders, [ERROR_CODES.HEADERS_TOO_LARGE], '431');

    const garbage = await rawSocket(
      guarded.baseUrl,
      'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n',
    );
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    const body = JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4));
    expect(body.error.code).toBe(ERROR_CODES.BAD_REQUEST);
  });

  it('a 649 KB bad request gets a small error, not an echo of itself', async () => {
    // thousands of unknown keys (each named in a validation message) and a huge wrong value
    const unknownKeys = Object.fromEntries(Array.from({ length: 48_000 }, (_, i) => [`k${i}`, i]));
    const bodies = [
      JSON.stringify({ prompt: 'hi', ...unknownKeys }),
      JSON.stringify({ prompt: 'hi', model: 'm'.repeat(649_000) }),
      JSON.stringify({ prompt: 'p'.repeat(649_000), reasoning: 'r'.repeat(10_000) }),
      `{"prompt": "${'x'.repeat(649_000)}`,
      JSON.stringify(Array.from({ length: 330_000 }, () => 1)),
    ];
    for (const body of bodies) {
      expect(body.length).toBeGreaterThan(600_000);
      const reply = await send(guarded, {
        method: 'POST',
        path: '/api/v2/submit',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body,
      });
      expect(reply.status, reply.text.slice(0, 300)).toBe(400);
      expect(reply.json.error?.code).toMatch(/^(VALIDATION_ERROR|INVALID_JSON)$/);
      expect(reply.text.length, reply.text.slice(0, 300)).toBeLessThan(16_384);
    }
  });
});

describe('security headers', () => {
  it('the shell, the API and refusals carry CSP, nosniff, Referrer-Policy and no framing', async () => {
    const replies = [
      await send(guarded, { path: '/' }),
      await send(guarded, { path: '/api/v2/threads', headers: AUTH }),
      await send(guarded, { path: '/api/v2/threads' }),
      await send(guarded, { path: '/nowhere' }),
    ];
    for (const reply of replies) {
      const csp = String(reply.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
      expect(reply.headers['x-frame-options']).toBe('DENY');
    }
  });
});
