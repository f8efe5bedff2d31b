import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, hydrate, type Stack, startStack, withoutHeartbeats } from './harness';
import { runToEnd } from './support-runs';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    rules: [
      {
        match: { marker: 'TC-HP-10-tools', step: 1 },
        reply: replies.toolCalls(
          [
            { name: 'readFile', arguments: { path: 'a.txt' } },
            { name: 'readFile', arguments: { path: 'nope.txt' } },
          ],
          { reasoning: 'Two files to read.' },
        ),
      },
      {
        match: { marker: 'TC-HP-10-tools', step: 2 },
        reply: replies.text('One file was there, one was not.', { reasoning: 'Summarise.' }),
      },
      {
        match: { marker: 'TC-HP-10-live' },
        reply: replies.text(['still ', 'typing ', 'slowly'], { delayMs: 100 }),
      },
      {
        match: { marker: 'TC-HP-10-failed' },
        reply: replies.text('Partial answer that will be cut', { error: { afterEvents: 6 } }),
      },
    ],
  });
  writeFileSync(join(stack.workspace, 'a.txt'), 'alpha\n');
});
afterAll(() => stack.close());

/** Lets the run's stream expire now (what CODY_RUN_TTL_SECONDS does later). */
async function expireStream(runId: string): Promise<void> {
  const key = `${stack.prefix}run:{${runId}}:events`;
  expect(await stack.redis.exists(key)).toBe(1);
  await stack.redis.pexpire(key, 1);
  while ((await stack.redis.exists(key)) === 1) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('[TC-HP-10] history', () => {
  it.each([
    ['openai', 'gpt-5-mini'],
    ['anthropic', 'claude-haiku-4.5'],
  ] as const)(
    '%s: GET /runs/:id and the replay of an expired stream hydrate to the same Response',
    async (providerId, model) => {
      const run = await runToEnd(stack, {
        prompt: `read two files TC-HP-10-tools ${providerId}`,
        providerId,
        model,
        reasoning: 'low',
      });
      expect(run.stored.status).toBe('complete');
      expect(run.stored.output_items.map((item) => item.type)).toEqual([
        'message',
        'reasoning',
        'function_call',
        'function_call',
        'function_call_output',
        'function_call_output',
        'reasoning',
        'message',
      ]);
      expect(run.hydrated).toEqual(run.stored);

      await expireStream(run.runId);
      const history = await stack.api<Response>('GET', `/api/v2/runs/${run.runId}`);
      expect(history.status).toBe(200);
      expect(history.json).toEqual(run.stored);

      const replayed = withoutHeartbeats(await stack.readStream(run.runId));
      const replayedEvents = events(replayed);
      expect(replayedEvents[0]?.type).toBe('response_start');
      expect(replayedEvents.at(-1)?.type).toBe('response_done');
      // compact: a start and a done per item, no deltas
      expect(replayedEvents.some((event) => event.type === 'item_delta')).toBe(false);
      expect(replayedEvents.length).toBeLessThan(run.events.length);
      expect(replayed.map((message) => message.id)).toEqual(replayed.map((_, index) => `0-${index + 1}`));
      expect(hydrate(replayed)).toEqual(history.json);

      // a client resuming inside the replay gets the rest, and hydrates to the same Response
      const rest = withoutHeartbeats(await stack.readStream(run.runId, { lastEventId: '0-3' }));
      const shape = (messages: typeof replayed) =>
        messages.map((message) => [message.id, message.event, JSON.parse(message.data).payload]);
      expect(shape(rest)).toEqual(shape(replayed.slice(3)));
      expect(hydrate([...replayed.slice(0, 3), ...rest])).toEqual(history.json);
    },
  );

  it('a run that ended in error replays to the same error Response', async () => {
    const run = await runToEnd(stack, {
      prompt: 'fail midway TC-HP-10-failed',
      providerId: 'anthropic',
      model: 'claude-haiku-4.5',
    });
    expect(run.stored.status).toBe('error');
    expect(run.hydrated).toEqual(run.stored);
    await expireStream(run.runId);
    const history = await stack.api<Response>('GET', `/api/v2/runs/${run.runId}`);
    expect(history.json).toEqual(run.stored);
    const replayed = withoutHeartbeats(await stack.readStream(run.runId));
    expect(hydrate(replayed)).toEqual(history.json);
    expect(hydrate(replayed)?.error?.code).toBe('PROVIDER_OVERLOADED');
  });

  it('GET /runs/:id answers from the moment submit returned, before the first snapshot is stored', async () => {
    const { runId, threadId, turnId } = await stack.submit({
      prompt: 'slow one TC-HP-10-live',
      providerId: 'openai',
      model: 'gpt-5-mini',
    });
    const early = await stack.api<Response>('GET', `/api/v2/runs/${runId}`);
    expect(early.status).toBe(200);
    expect(early.json).toMatchObject({
      id: runId,
      thread_id: threadId,
      turn_id: turnId,
      status: 'in_progress',
    });
    expect(early.json.output_items[0]).toMatchObject({
      type: 'message',
      origin: 'user',
      content: 'slow one TC-HP-10-live',
    });
    const done = await stack.waitForRun(runId);
    expect(done.status).toBe('complete');
    expect(hydrate(await stack.readStream(runId))).toEqual(done);
  });
});
