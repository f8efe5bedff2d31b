// [issue 7] A prompt streams in; a thinking card and a tool card appear and fill.
// Real server, Redis, workers and tools; the test LLM at the wire; Debian's Chromium.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Response } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatJson } from '../../src/lib/format-json';
import {
  agentMessageId,
  checkStreamedMessage,
  runArticle,
  sendPrompt,
  waitForRunStatus,
} from './support/app-driver';
import { type BrowserStack, startBrowserStack } from './support/browser-stack';
import { findChromium } from './support/chromium';
import { markdownHtml } from './support/expected-markdown';
import { normalizeHtml, readStreamProbe, streamProbeScript } from './support/page-probes';
import { splitDeltas } from './support/split-deltas';

const chromium = findChromium();

const ANSWER = [
  'Streaming works: this answer arrives **a few characters at a time**, and every frame shows a prefix of it.',
  '',
  '- Grüße from the test LLM 👋',
  '- `inline code`, an [example link](https://example.com/) and *emphasis*',
  '',
  '```ts',
  'const answer = 6 * 7; // "quoted" <tag> & more',
  '```',
  '',
  '> The end.',
].join('\n');
const ANSWER_DELTAS = splitDeltas(ANSWER, 5);

const REASONING =
  "The user wants today's notes. I will **read** `notes/today.md` with the readFile tool, then sum it up.";
const NOTES =
  '# Today\n\n- Grüße, café, ½ €\n\ttabbed <b>not bold</b> & "quoted"\nlast line without Markdown\n';
const CALL_ARGUMENTS = { path: 'notes/today.md' };
const SUMMARY = 'The notes list a greeting, a tabbed line and a last line. Nothing else is in the file.';
const SUMMARY_DELTAS = splitDeltas(SUMMARY, 4);

const updateReadmeScreenshot = process.env.CODY_UPDATE_SCREENSHOT === '1';
const readmeScreenshot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshot.png');

describe.skipIf(!chromium.found)(
  chromium.found ? 'browser: streaming' : `browser: streaming — skipped: ${chromium.reason}`,
  () => {
    let stack: BrowserStack;
    beforeAll(async () => {
      if (!chromium.found) return;
      stack = await startBrowserStack({
        suite: 'streaming',
        chromiumPath: chromium.path,
        webDist: inject('webDist'),
        rules: [
          {
            match: { lastUserText: 'how streaming looks' },
            reply: replies.text(ANSWER_DELTAS, { delayMs: 25 }),
          },
          {
            match: { lastUserText: 'notes for today', step: 1 },
            // slow enough that the cards are seen filling, frame by frame
            reply: replies.toolCalls([{ name: 'readFile', arguments: CALL_ARGUMENTS }], {
              reasoning: REASONING,
              delayMs: 40,
              chunkSize: 4,
            }),
          },
          {
            match: { lastUserText: 'notes for today', step: 2 },
            reply: replies.text(SUMMARY_DELTAS, { delayMs: 15 }),
          },
        ],
      });
      mkdirSync(join(stack.workspace, 'notes'));
      writeFileSync(join(stack.workspace, 'notes', 'today.md'), NOTES);
    });
    afterAll(() => stack?.close());

    it('a prompt streams in: the text appears progressively and ends exactly as scripted', async () => {
      const { page, pageErrors } = await stack.openApp({ initScript: streamProbeScript });
      const prompt = 'Show me how streaming looks';
      const runId = await sendPrompt(page, prompt);
      const itemId = await agentMessageId(page, runId);
      await waitForRunStatus(page, runId, 'complete');
      await stack.screenshot(page, '1-prompt-streams-in');

      const check = await checkStreamedMessage(page, itemId, ANSWER_DELTAS);
      expect(check.shown).toBe(check.expected);
      expect(check.unexpected).toEqual([]);
      // progressive: it was seen part-way, several times, never going backwards
      expect(check.seen.length).toBeGreaterThan(3);
      expect(check.deltasShown).toEqual([...check.deltasShown].sort((a, b) => a - b));
      expect(check.deltasShown.at(-1)).toBe(ANSWER_DELTAS.length);

      const article = runArticle(page, runId);
      await expect(article.locator('.message-user .user-text').textContent()).resolves.toBe(prompt);
      expect(await article.getAttribute('aria-busy')).toBe('false');
      expect(page.url()).toMatch(/#\/threads\/[0-9a-f-]{36}$/);
      const stored = await stack.api<Response>('GET', `/api/v2/runs/${runId}`);
      expect(stored.json.status).toBe('complete');
      expect(stored.json.output_items.find((item) => item.id === itemId)).toMatchObject({
        type: 'message',
        origin: 'agent',
        content: ANSWER,
      });
      expect(pageErrors).toEqual([]);
    });

    it('a thinking card and a tool card appear and fill: reasoning, readFile of a real file, then the answer', async () => {
      const { page, pageErrors } = await stack.openApp({ initScript: streamProbeScript });
      const runId = await sendPrompt(page, 'What is in my notes for today?');
      await waitForRunStatus(page, runId, 'complete');
      const article = runArticle(page, runId);

      // the turn reads in order: prompt, thinking, tool call, answer
      const kinds = await article
        .locator('.run-output > *')
        .evaluateAll((nodes) => nodes.map((node) => node.className));
      expect(kinds).toEqual([
        'message message-user',
        'thinking',
        'card tool-card tool-card-success',
        'message message-agent',
      ]);

      const stored = (await stack.api<Response>('GET', `/api/v2/runs/${runId}`)).json;
      const reasoning = stored.output_items.find((item) => item.type === 'reasoning');
      const call = stored.output_items.find((item) => item.type === 'function_call');
      expect(reasoning?.type === 'reasoning' && reasoning.content).toBe(REASONING);
      if (call?.type !== 'function_call') throw new Error('no function_call stored');

      // the Thinking card: folded once done; opened, it shows the reasoning
      const thinking = article.locator('details.thinking');
      await expect(thinking.locator('summary').textContent()).resolves.toMatch(/^Thinking/);
      await thinking.locator('summary').click();
      await expect(thinking.getAttribute('open')).resolves.toBe('');
      const [thinkingShown, thinkingExpected] = await normalizeHtml(page, [
        await thinking.locator('.markdown').evaluate((node) => node.outerHTML),
        markdownHtml(REASONING),
      ]);
      expect(thinkingShown).toBe(thinkingExpected);
      expect(await thinking.locator('.thinking-body').isVisible()).toBe(true);

      // the tool card: name, arguments, the file's real bytes as output, success
      const tool = page.getByRole('group', { name: 'Tool call readFile' });
      expect(await tool.getAttribute('data-call-id')).toBe(call.call_id);
      expect(await tool.getAttribute('data-status')).toBe('success');
      await expect(tool.locator('.card-title').textContent()).resolves.toBe('readFile');
      await expect(tool.locator('.badge').textContent()).resolves.toBe('Succeeded');
      const blocks = tool.locator('.output-block');
      await expect(blocks.nth(0).locator('.output-block-label').textContent()).resolves.toBe('Arguments');
      await expect(blocks.nth(0).locator('pre').textContent()).resolves.toBe(
        formatJson(JSON.stringify(CALL_ARGUMENTS)),
      );
      await expect(blocks.nth(1).locator('.output-block-label').textContent()).resolves.toBe('Output');
      await expect(blocks.nth(1).locator('pre').textContent()).resolves.toBe(NOTES);

      // both cards were seen filling before they settled
      const probe = await readStreamProbe(page);
      const thinkingStates = probe.cards[`thinking:${reasoning?.id}`];
      const toolStates = probe.cards[`tool:${call.call_id}`];
      expect(thinkingStates?.[0]).toBe('streaming');
      expect(thinkingStates?.at(-1)).toBe('done');
      expect(['preparing', 'running']).toContain(toolStates?.[0]);
      expect(toolStates?.at(-1)).toBe('success');

      const itemId = await agentMessageId(page, runId);
      const check = await checkStreamedMessage(page, itemId, SUMMARY_DELTAS);
      expect(check.shown).toBe(check.expected);
      expect(check.unexpected).toEqual([]);

      const file = await stack.screenshot(page, '2-thinking-and-tool-cards');
      if (updateReadmeScreenshot) {
        mkdirSync(dirname(readmeScreenshot), { recursive: true });
        copyFileSync(file, readmeScreenshot);
      }
      expect(pageErrors).toEqual([]);
    });
  },
);
