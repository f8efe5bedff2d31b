import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Response } from '@cody/schema';
import { describe, expect, it } from 'vitest';
import { createProvider, type ModelInfo, resolveModel, type ToolDeclaration } from '../src/index';
import { agentText, itemsOf, runTurn } from './support/harness';

// TC-SMOKE-1..6 against the real providers. Each runs only when its key is set and says why
// it skipped otherwise; OPENAI_BASE_URL / ANTHROPIC_BASE_URL are honoured like everywhere.

const env = process.env;
const hasOpenAI = Boolean(env.OPENAI_API_KEY?.trim());
const hasAnthropic = Boolean(env.ANTHROPIC_API_KEY?.trim());
const why = (has: boolean, variable: string) =>
  has ? 'running against the real API' : `skipped: ${variable} is not set`;
if (!hasOpenAI) console.log('[TC-SMOKE] OpenAI smoke tests skipped: OPENAI_API_KEY is not set');
if (!hasAnthropic) console.log('[TC-SMOKE] Anthropic smoke tests skipped: ANTHROPIC_API_KEY is not set');

const REAL_CALL_MS = 120_000;
const openaiModel = (): ModelInfo => resolveModel('openai', 'gpt-5-mini');
const anthropicModel = (): ModelInfo => resolveModel('anthropic', 'claude-haiku-4.5');
const openai = () => createProvider('openai', env);
const anthropic = () => createProvider('anthropic', env);

const PONG = 'Reply with exactly one word: pong';
const MATH = 'What is 17 * 23? Work it out, then reply with just the number.';

function expectComplete(response: Response) {
  expect(response.error, JSON.stringify(response.error)).toBeUndefined();
  expect(response.status).toBe('complete');
  expect(response.usage?.prompt_tokens).toBeGreaterThan(0);
  expect(response.usage?.completion_tokens).toBeGreaterThan(0);
}

describe(`TC-SMOKE OpenAI (${why(hasOpenAI, 'OPENAI_API_KEY')})`, () => {
  it.skipIf(!hasOpenAI)('TC-SMOKE-1 OpenAI basic', { timeout: REAL_CALL_MS }, async () => {
    const { response } = await runTurn({ provider: openai(), model: openaiModel(), prompt: PONG });
    expectComplete(response);
    expect(response.finish_reason).toBe('stop');
    expect(agentText(response).toLowerCase()).toContain('pong');
  });

  it.skipIf(!hasOpenAI)(
    'TC-SMOKE-3 OpenAI reasoning, sent back on the next turn',
    { timeout: REAL_CALL_MS },
    async () => {
      const first = await runTurn({
        provider: openai(),
        model: openaiModel(),
        prompt: MATH,
        reasoning: { effort: 'low' },
      });
      expectComplete(first.response);
      expect(agentText(first.response)).toContain('391');
      const types = first.response.output_items.map((item) => item.type);
      expect(types.indexOf('reasoning')).toBeGreaterThan(0);
      expect(types.indexOf('reasoning')).toBeLessThan(types.lastIndexOf('message'));
      const reasoning = itemsOf(first.response, 'reasoning')[0];
      expect(reasoning?.provider_data?.encrypted_content).toEqual(expect.any(String));
      expect(first.response.usage?.reasoning_tokens).toBeGreaterThan(0);
      // the encrypted reasoning goes back in the history and the API accepts it
      const second = await runTurn({
        provider: openai(),
        model: openaiModel(),
        prompt: 'Now add 9 to it. Reply with just the number.',
        history: first.response.output_items,
        reasoning: { effort: 'low' },
      });
      expectComplete(second.response);
      expect(agentText(second.response)).toContain('400');
    },
  );

  it.skipIf(!hasOpenAI)(
    'TC-SMOKE-5 OpenAI tool call against a real file',
    { timeout: REAL_CALL_MS },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cody-smoke-'));
      try {
        const word = `kiwi-${randomBytes(4).toString('hex')}`;
        await writeFile(join(dir, 'secret.txt'), `The code word is ${word}.\n`);
        const tools: ToolDeclaration[] = [
          {
            name: 'readFile',
            description: 'Read a text file from the workspace and return its content.',
            parameters: {
              type: 'object',
              properties: { path: { type: 'string', description: 'Path relative to the workspace root' } },
              required: ['path'],
            },
          },
        ];
        const { response, toolCalls } = await runTurn({
          provider: openai(),
          model: openaiModel(),
          prompt: 'Use the readFile tool to read secret.txt, then tell me the code word it contains.',
          tools,
          tool: async (call) => {
            const { path } = JSON.parse(call.arguments) as { path: string };
            const target = resolve(dir, path);
            if (relative(dir, target).startsWith('..')) {
              return { output: 'path escapes the workspace', success: false };
            }
            try {
              return { output: await readFile(target, 'utf8'), success: true };
            } catch (error) {
              return { output: (error as Error).message, success: false };
            }
          },
        });
        expectComplete(response);
        expect(toolCalls.flat().map((call) => call.name)).toContain('readFile');
        expect(itemsOf(response, 'function_call_output').some((item) => item.output.includes(word))).toBe(
          true,
        );
        expect(agentText(response)).toContain(word);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});

describe(`TC-SMOKE Anthropic (${why(hasAnthropic, 'ANTHROPIC_API_KEY')})`, () => {
  it.skipIf(!hasAnthropic)('TC-SMOKE-2 Anthropic basic', { timeout: REAL_CALL_MS }, async () => {
    const { response } = await runTurn({ provider: anthropic(), model: anthropicModel(), prompt: PONG });
    expectComplete(response);
    expect(response.finish_reason).toBe('stop');
    expect(agentText(response).toLowerCase()).toContain('pong');
  });

  it.skipIf(!hasAnthropic)(
    'TC-SMOKE-4 Anthropic thinking, signature sent back on the next turn',
    { timeout: REAL_CALL_MS },
    async () => {
      const first = await runTurn({
        provider: anthropic(),
        model: anthropicModel(),
        prompt: MATH,
        reasoning: { effort: 'low' },
      });
      expectComplete(first.response);
      expect(agentText(first.response)).toContain('391');
      const reasoning = itemsOf(first.response, 'reasoning')[0];
      expect(reasoning?.content.length).toBeGreaterThan(0);
      expect(reasoning?.provider_data?.signature).toEqual(expect.any(String));
      const second = await runTurn({
        provider: anthropic(),
        model: anthropicModel(),
        prompt: 'Now add 9 to it. Reply with just the number.',
        history: first.response.output_items,
        reasoning: { effort: 'low' },
      });
      expectComplete(second.response);
      expect(agentText(second.response)).toContain('400');
    },
  );
});

describe(`TC-SMOKE both providers (${why(hasOpenAI && hasAnthropic, 'OPENAI_API_KEY or ANTHROPIC_API_KEY')})`, () => {
  it.skipIf(!(hasOpenAI && hasAnthropic))(
    'TC-SMOKE-6 same prompt, same Response shape',
    { timeout: REAL_CALL_MS },
    async () => {
      const prompt = 'Name one primary colour. Reply with one word.';
      const [a, b] = await Promise.all([
        runTurn({ provider: openai(), model: openaiModel(), prompt }),
        runTurn({ provider: anthropic(), model: anthropicModel(), prompt }),
      ]);
      const shape = (response: Response) => ({
        status: response.status,
        finish_reason: response.finish_reason,
        // gpt-5 models always reason; Claude only when asked, so reasoning items are left out
        items: response.output_items
          .filter((item) => item.type !== 'reasoning')
          .map((item) => `${item.type}:${item.origin}`),
        usage: Object.keys(response.usage ?? {})
          .filter((key) => ['prompt_tokens', 'completion_tokens', 'total_tokens'].includes(key))
          .sort(),
      });
      expectComplete(a.response);
      expectComplete(b.response);
      expect(shape(a.response)).toEqual(shape(b.response));
      expect(shape(a.response).items).toEqual(['message:user', 'message:agent']);
    },
  );
});
