import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { agentMessages, itemsOf, listAllThreads, runToEnd } from './support-runs';

const RUNS = 50;
const tokens = Array.from({ length: RUNS }, () => randomUUID());

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    rules: [
      // every fifth run reads its own file first
      {
        match: { marker: 'TC-ER-10 tool', step: 1 },
        reply: (request) => {
          const index = /run (\d+)/.exec(request.lastUserText)?.[1];
          return replies.toolCalls([{ name: 'readFile', arguments: { path: `file-${index}.txt` } }]);
        },
      },
      // the answer echoes the prompt (and what the tool read), so crosstalk would show
      {
        match: { marker: 'TC-ER-10' },
        reply: (request) =>
          replies.text(
            ['Echo: ', request.lastUserText, ...request.stepToolResults.map((r) => ` read ${r.output}`)],
            { delayMs: 2 },
          ),
      },
    ],
  });
  for (const [i, token] of tokens.entries()) writeFileSync(join(stack.workspace, `file-${i}.txt`), token);
});
afterAll(() => stack.close());

describe('[TC-ER-10] concurrency', () => {
  it(`${RUNS} runs submitted at once: unique ids, no crosstalk, all persisted`, async () => {
    const prompts = Array.from({ length: RUNS }, (_, i) => `TC-ER-10${i % 5 === 0 ? ' tool' : ''} run ${i}`);
    const runs = await Promise.all(
      prompts.map((prompt, i) =>
        runToEnd(stack, {
          prompt,
          ...(i % 2 === 0
            ? { providerId: 'openai', model: 'gpt-5-mini' }
            : { providerId: 'anthropic', model: 'claude-haiku-4.5' }),
        }),
      ),
    );

    expect(new Set(runs.map((run) => run.runId)).size).toBe(RUNS);
    expect(new Set(runs.map((run) => run.turnId)).size).toBe(RUNS);
    expect(new Set(runs.map((run) => run.threadId)).size).toBe(RUNS);
    runs.forEach((run, i) => {
      const prompt = prompts[i] as string;
      // every event on this run's stream belongs to it
      expect(run.events.every((event) => event.run_id === run.runId)).toBe(true);
      expect(run.stored.status).toBe('complete');
      expect(run.stored).toEqual(run.hydrated);
      expect(run.stored.id).toBe(run.runId);
      expect(run.stored.thread_id).toBe(run.threadId);
      expect(itemsOf(run.stored, 'message')[0]).toMatchObject({ origin: 'user', content: prompt });
      const read = i % 5 === 0 ? ` read ${tokens[i]}` : '';
      expect(agentMessages(run.stored).map((m) => m.content)).toEqual([`Echo: ${prompt}${read}`]);
      if (i % 5 === 0) expect(itemsOf(run.stored, 'function_call_output')[0]?.output).toBe(tokens[i]);
    });

    // all persisted and listed; no work left pending in any group
    const threads = new Set((await listAllThreads(stack)).map((thread) => thread.id));
    for (const run of runs) expect(threads.has(run.threadId)).toBe(true);
    for (const run of runs) expect((await stack.api('GET', `/api/v2/runs/${run.runId}`)).status).toBe(200);
    await expect
      .poll(async () => {
        const announce = (await stack.redis.xpending(
          `${stack.prefix}runs:announce`,
          'codex-projector-group',
        )) as [number];
        const tools = (await stack.redis.xpending(`${stack.prefix}tools:requests`, 'codex-tool-workers')) as [
          number,
        ];
        return [announce[0], tools[0]];
      })
      .toEqual([0, 0]);
  });
});
