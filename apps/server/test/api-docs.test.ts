// GET /docs/json: the OpenAPI document describes the SSE event types (from the schema), the
// error envelope with every code and its status, and the bearer token.
import { STREAM_EVENT_TYPES } from '@cody/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('/docs', () => {
  it('lists the SSE event types, the error envelope with its codes, and the bearer auth', async () => {
    const docs = await stack.api<{
      info: { description: string };
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
    }>('GET', '/docs/json');
    expect(docs.status).toBe(200);
    const text = docs.json.info.description;
    for (const type of STREAM_EVENT_TYPES) expect(text).toContain(`| \`${type}\` |`);
    expect(text).toContain('{"error": {"code": string, "message": string, "details"?: any}}');
    for (const [code, status] of [
      ['VALIDATION_ERROR', 400],
      ['UNAUTHORIZED', 401],
      ['THREAD_NOT_FOUND', 404],
      ['RUN_THREAD_MISMATCH', 400],
      ['RUN_ALREADY_REPLACED', 409],
      ['PAYLOAD_TOO_LARGE', 413],
    ] as const) {
      expect(text).toContain(`| \`${code}\` | ${status} |`);
    }
    expect(text).toContain('Authorization: Bearer');
    expect(docs.json.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
