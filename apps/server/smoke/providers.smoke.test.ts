// [TC-SMOKE-1…6] Real providers through the whole stack: the real server, Redis, workers,
// store, tool worker and SSE (the service suite's stack) with the providers' real URLs, no
// mock anywhere. Each test creates its thread through the API and deletes it at the end.
// Costs real money (a few cents per run): not part of `npm test`; run with `npm run test:smoke`.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareStreamIds } from '@cody/redis';
import { parseStreamEvent, type Response, type StreamEvent } from '@cody/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hydrate, type SseMessage, type Stack, startStack, withoutHeartbeats } from '../test/harness';

const env = process.env;
const keys = { openai: env.OPENAI_API_KEY?.trim() ?? '', anthropic: env.ANTHROPIC_API_KEY?.trim() ?? '' };
const has = { openai: keys.openai !== '', anthropic: keys.anthropic !== '' };
const missing = (...providers: ('openai' | 'anthropic')[]) =>
  providers.filter((p) => !has[p]).map((p) => (p === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY'));
const reason = (...providers: ('openai' | 'anthropic')[]) => {
  const absent = missing(...providers);
  return absent.length === 0 ? 'real API' : `skipped: ${absent.join(' and ')} not set`;
};
for (const variable of missing('openai', 'anthropic')) {
  console.log(`[TC-SMOKE] tests that need ${variable} are skipped: it is not set`);
}

const MODELS = { openai: 'gpt-5-mini', anthropic: 'claude-haiku-4.5' } as const;
const REAL_CALL_MS = 180_000;

let stack: Stack;
beforeAll(async () => {
  if (!has.openai && !has.anthropic) return;
  stack = await startStack({
    env: {
      // the real providers: their keys, and their own URLs unless the caller points elsewhere
      OPENAI_API_KEY: keys.openai,
      OPENAI_BASE_URL: env.OPENAI_BASE_URL ?? '',
      ANTHROPIC_API_KEY: keys.anthropic,
      ANTHROPIC_BASE_URL: env.ANTHROPIC_BASE_URL ?? '',
      LOG_LEVEL: 'warn',
    },
  });
});
afterAll(() => stack?.close());

interface TimedMessage extends SseMessage {
  at: number;
}

interface SmokeRun {
  runId: string;
  messages: TimedMessage[];
  events: StreamEvent[];
  stored: Response;
}

/** A thread made through the API, deleted (and checked gone) when `body` is done. */
async function withThread(title: string, body: (threadId: string) => Promise<void>): Promise<void> {
  const created = await stack.api<{ id: string }>('POST', '/api/v2/threads', { title });
  expect(created.status).toBe(201);
  const threadId = created.json.id;
  try {
    await body(threadId);
  } finally {
    const deleted = await stack.api('DELETE', `/api/v2/threads/${threadId}`);
    expect(deleted.status).toBe(204);
    expect((await stack.api('GET', `/api/v2/threads/${threadId}`)).status).toBe(404);
  }
}

/** Submits a turn, reads its SSE (timing each message) to the end, waits for the stored run. */
async function runTurn(body: Record<string, unknown>): Promise<SmokeRun> {
  const { runId } = await stack.submit(body);
  const messages: TimedMessage[] = [];
  await stack.readStream(runId, {
    onMessage: (message) => {
      if (message.event !== 'heartbeat') messages.push({ ...message, at: performance.now() });
    },
  });
  const stored = await stack.waitForRun(runId, undefined, REAL_CALL_MS);
  const events = messages.map((m) => parseStreamEvent(JSON.parse(m.data)));
  return { runId, messages, events, stored };
}

/** What every smoke run must show, whatever the provider. */
function expectStreamedProperly(run: SmokeRun) {
  const { events, messages, stored } = run;
  expect(stored.error, JSON.stringify(stored.error)).toBeUndefined();
  expect(stored.status).toBe('complete');
  // valid (parseStreamEvent threw otherwise), in stream order, start to end
  const ids = messages.map((m) => m.id as string);
  for (let i = 1; i < ids.length; i++)
    expect(compareStreamIds(ids[i - 1] as string, ids[i] as string)).toBe(-1);
  expect(events[0]?.type).toBe('response_start');
  expect(events.at(-1)?.type).toBe('response_done');
  // deltas arrive between their item's start and done
  const position = new Map<string, { start: number; done: number; deltas: number[] }>();
  events.forEach((event, index) => {
    const p = event.payload;
    if (p.type === 'item_start') position.set(p.item_id, { start: index, done: -1, deltas: [] });
    if (p.type === 'item_delta') position.get(p.item_id)?.deltas.push(index);
    if (p.type === 'item_done') {
      const item = position.get(p.item_id);
      if (item) item.done = index;
    }
  });
  for (const [id, item] of position) {
    expect(item.done, `item ${id} done`).toBeGreaterThan(item.start);
    for (const delta of item.deltas) {
      expect(delta).toBeGreaterThan(item.start);
      expect(delta).toBeLessThan(item.done);
    }
  }
  // incremental: the answer came as several deltas, spread over time, before its item_done
  const answer = stored.output_items.find((i) => i.type === 'message' && i.origin === 'agent');
  expect(answer, 'an agent message').toBeDefined();
  const answerDeltas = messages.filter((_, index) => {
    const payload = events[index]?.payload;
    return payload?.type === 'item_delta' && payload.item_id === answer?.id;
  });
  expect(answerDeltas.length).toBeGreaterThan(1);
  const doneAt = messages[position.get(answer?.id as string)?.done ?? -1]?.at ?? 0;
  expect(answerDeltas[0]?.at).toBeLessThan(doneAt);
  expect(new Set(answerDeltas.map((m) => Math.floor(m.at))).size).toBeGreaterThan(1);
  // usage, and the client's hydrated view is the stored snapshot
  expect(stored.usage?.prompt_tokens).toBeGreaterThan(0);
  expect(stored.usage?.completion_tokens).toBeGreaterThan(0);
  expect(events.some((e) => e.type === 'usage_update')).toBe(true);
  expect(hydrate(withoutHeartbeats(messages))).toEqual(stored);
}

const agentText = (response: Response) =>
  response.output_items
    .filter((i) => i.type === 'message' && i.origin === 'agent')
    .map((i) => (i as { content: string }).content)
    .join('\n');
const COUNT = 'Write the numbers from 1 to 25 separated by commas, and nothing else.';
const MATH = 'What is 17 * 23? Work it out, then reply with just the number.';

describe.each([
  ['openai', 'TC-SMOKE-1'],
  ['anthropic', 'TC-SMOKE-2'],
] as const)('%s basic', (provider, id) => {
  it.skipIf(!has[provider])(`${id} ${provider} basic (${reason(provider)})`, { timeout: REAL_CALL_MS }, () =>
    withThread(`smoke ${id}`, async (threadId) => {
      const run = await runTurn({ prompt: COUNT, providerId: provider, model: MODELS[provider], threadId });
      expectStreamedProperly(run);
      expect(run.stored.finish_reason).toBe('stop');
      expect(agentText(run.stored).replace(/\s/g, '')).toContain('1,2,3');
      expect(agentText(run.stored)).toContain('25');
    }),
  );
});

describe.each([
  ['openai', 'TC-SMOKE-3', 'reasoning'],
  ['anthropic', 'TC-SMOKE-4', 'thinking'],
] as const)('%s reasoning', (provider, id, what) => {
  it.skipIf(!has[provider])(
    `${id} ${provider} ${what}, sent back on the next turn (${reason(provider)})`,
    { timeout: REAL_CALL_MS },
    () =>
      withThread(`smoke ${id}`, async (threadId) => {
        const first = await runTurn({
          prompt: MATH,
          providerId: provider,
          model: MODELS[provider],
          threadId,
          reasoning: 'low',
        });
        expectStreamedProperly(first);
        expect(agentText(first.stored)).toContain('391');
        const reasoning = first.stored.output_items.find((i) => i.type === 'reasoning');
        expect(reasoning, 'a reasoning item').toBeDefined();
        if (provider === 'openai') {
          expect(reasoning?.provider_data?.encrypted_content).toEqual(expect.any(String));
          expect(first.stored.usage?.reasoning_tokens).toBeGreaterThan(0);
        } else {
          expect(reasoning?.type === 'reasoning' && reasoning.content.length).toBeGreaterThan(0);
          expect(reasoning?.provider_data?.signature).toEqual(expect.any(String));
        }
        // the thread's history (with the reasoning) goes back to the provider, which accepts it
        const second = await runTurn({
          prompt: 'Now add 9 to it. Reply with just the number.',
          providerId: provider,
          model: MODELS[provider],
          threadId,
          reasoning: 'low',
        });
        expect(second.stored.status, JSON.stringify(second.stored.error)).toBe('complete');
        expect(agentText(second.stored)).toContain('400');
      }),
  );
});

describe('tool call', () => {
  it.skipIf(!has.openai)(
    `TC-SMOKE-5 openai calls readFile on a real file through the tool worker (${reason('openai')})`,
    { timeout: REAL_CALL_MS },
    () =>
      withThread('smoke TC-SMOKE-5', async (threadId) => {
        const word = `kiwi-${randomBytes(4).toString('hex')}`;
        writeFileSync(join(stack.workspace, 'secret.txt'), `The code word is ${word}.\n`);
        const run = await runTurn({
          prompt: 'Use the readFile tool to read secret.txt, then tell me the code word it contains.',
          providerId: 'openai',
          model: MODELS.openai,
          threadId,
        });
        expectStreamedProperly(run);
        const call = run.stored.output_items.find((i) => i.type === 'function_call');
        expect(call?.type === 'function_call' && call.name).toBe('readFile');
        const output = run.stored.output_items.find((i) => i.type === 'function_call_output');
        expect(output?.type === 'function_call_output' && output.origin).toBe('tool_harness');
        expect(output?.type === 'function_call_output' && output.success).toBe(true);
        expect(output?.type === 'function_call_output' && output.output).toContain(word);
        expect(agentText(run.stored)).toContain(word);
      }),
  );
});

describe('both providers', () => {
  it.skipIf(!(has.openai && has.anthropic))(
    `TC-SMOKE-6 same prompt, same Response shape (${reason('openai', 'anthropic')})`,
    { timeout: REAL_CALL_MS },
    () =>
      withThread('smoke TC-SMOKE-6 openai', (openaiThread) =>
        withThread('smoke TC-SMOKE-6 anthropic', async (anthropicThread) => {
          const runs = await Promise.all([
            runTurn({ prompt: COUNT, providerId: 'openai', model: MODELS.openai, threadId: openaiThread }),
            runTurn({
              prompt: COUNT,
              providerId: 'anthropic',
              model: MODELS.anthropic,
              threadId: anthropicThread,
            }),
          ]);
          const shape = (response: Response) => ({
            status: response.status,
            finish_reason: response.finish_reason,
            // gpt-5 models always reason; Claude only when asked, so reasoning items are left out
            items: response.output_items
              .filter((i) => i.type !== 'reasoning')
              .map((i) => `${i.type}:${i.origin}`),
            usage: Object.keys(response.usage ?? {})
              .filter((key) => ['prompt_tokens', 'completion_tokens', 'total_tokens'].includes(key))
              .sort(),
          });
          for (const run of runs) expectStreamedProperly(run);
          const [a, b] = runs.map((run) => shape(run.stored));
          expect(a).toEqual(b);
          expect(a?.items).toEqual(['message:user', 'message:agent']);
        }),
      ),
  );
});
