// [issue 7] Stop ends a run as aborted; an old thread opens from history and shows what was
// shown live. Real server, Redis, workers and tools; the test LLM at the wire; Chromium.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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
import { normalizeHtml, streamProbeScript } from './support/page-probes';
import { splitDeltas } from './support/split-deltas';

const chromium = findChromium();

const ESSAY = Array.from(
  { length: 30 },
  (_, i) => `Sentence ${i + 1} of an essay far too long to wait for, so the reader presses Stop.`,
).join(' ');
const ESSAY_DELTAS = splitDeltas(ESSAY, 6);

const RECIPE = 'flour 500 g\nwater 350 g\nsalt 10 g\n';
const HISTORY_ANSWER = [
  'The recipe needs **three** ingredients:',
  '',
  '1. flour',
  '2. water',
  '3. salt',
  '',
  '```text',
  RECIPE.trimEnd(),
  '```',
].join('\n');
const HISTORY_DELTAS = splitDeltas(HISTORY_ANSWER, 7);

// a function, not a string: the app's CSP forbids eval, and a string predicate is eval'd in the page
const probeCountAtLeast = ([itemId, count]: [string, number]) =>
  // biome-ignore lint/suspicious/noExplicitAny: the probe is a test global installed by streamProbeScript
  ((window as any).__codyStreamProbe.messages[itemId] || []).length >= count;

describe.skipIf(!chromium.found)(
  chromium.found ? 'browser: stop and history' : `browser: stop and history — skipped: ${chromium.reason}`,
  () => {
    let stack: BrowserStack;
    beforeAll(async () => {
      if (!chromium.found) return;
      stack = await startBrowserStack({
        suite: 'stop-history',
        chromiumPath: chromium.path,
        webDist: inject('webDist'),
        rules: [
          { match: { marker: 'BT-STOP' }, reply: replies.text(ESSAY_DELTAS, { delayMs: 30 }) },
          {
            match: { marker: 'BT-HISTORY', step: 1 },
            reply: replies.toolCalls([{ name: 'readFile', arguments: { path: 'recipe.txt' } }], {
              reasoning: 'Read **recipe.txt**, then list what it needs.',
              delayMs: 5,
            }),
          },
          { match: { marker: 'BT-HISTORY', step: 2 }, reply: replies.text(HISTORY_DELTAS, { delayMs: 5 }) },
        ],
      });
      writeFileSync(join(stack.workspace, 'recipe.txt'), RECIPE);
    });
    afterAll(() => stack?.close());

    it('"Stop" ends a run as aborted: on screen, in the stored run, and at the provider', async () => {
      const { page, pageErrors } = await stack.openApp({ initScript: streamProbeScript });
      const runId = await sendPrompt(page, 'Write a long essay BT-STOP');
      const itemId = await agentMessageId(page, runId);
      await page.waitForFunction(probeCountAtLeast, [itemId, 5] as [string, number]);

      await page.getByRole('button', { name: 'Stop', exact: true }).click();
      await waitForRunStatus(page, runId, 'aborted');
      await stack.screenshot(page, '5-stopped');

      const stored = (await stack.api<Response>('GET', `/api/v2/runs/${runId}`)).json;
      expect(stored.status).toBe('aborted');
      expect(stored.finish_reason).toBe('aborted');
      // what had streamed is kept, and it is a true beginning of the text
      const message = stored.output_items.find((item) => item.id === itemId);
      const kept = message?.type === 'message' ? message.content : '';
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThan(ESSAY.length);
      expect(ESSAY.startsWith(kept)).toBe(true);
      // the provider call was stopped, not left to run to its end
      const [call] = stack.llm.findRequests({ marker: 'BT-STOP' });
      await expect(call?.outcome).resolves.toBe('client_closed');

      // the page shows exactly what was kept, marked as stopped; the composer can send again
      const check = await checkStreamedMessage(page, itemId, ESSAY_DELTAS);
      const [keptHtml] = await normalizeHtml(page, [markdownHtml(kept)]);
      expect(check.shown).toBe(keptHtml);
      expect(check.unexpected).toEqual([]);
      const article = runArticle(page, runId);
      await expect(article.locator('.run-meta .badge').first().textContent()).resolves.toBe('Stopped');
      await expect(article.locator('.item-note').textContent()).resolves.toBe('Stopped before the end.');
      expect(await page.getByRole('button', { name: 'Stop', exact: true }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Send', exact: true }).count()).toBe(1);
      expect(pageErrors).toEqual([]);
    });

    it('an old thread opens from history (sidebar) and renders exactly what was shown live', async () => {
      // live, in one browser context
      const live = await stack.openApp({ initScript: streamProbeScript });
      const runId = await sendPrompt(live.page, 'What does the recipe need? BT-HISTORY');
      await waitForRunStatus(live.page, runId, 'complete');
      const itemId = await agentMessageId(live.page, runId);
      const liveCheck = await checkStreamedMessage(live.page, itemId, HISTORY_DELTAS);
      expect(liveCheck.shown).toBe(liveCheck.expected);
      const liveArticle = runArticle(live.page, runId);
      const liveOutput = await liveArticle.locator('.run-output').evaluate((node) => node.outerHTML);
      const liveFooter = await liveArticle.locator('.run-meta').textContent();
      const threadId = /#\/threads\/(.+)$/.exec(live.page.url())?.[1];
      if (!threadId) throw new Error(`no thread in ${live.page.url()}`);
      await live.context.close();

      // later, in a fresh context: open the thread from the sidebar
      const later = await stack.openApp();
      const streamRequests: string[] = [];
      later.page.on('request', (request) => {
        if (request.url().includes('/api/v2/stream/')) streamRequests.push(request.url());
      });
      const row = later.page.locator(`li[data-thread-id="${threadId}"]`);
      await row.getByRole('link').click();
      await waitForRunStatus(later.page, runId, 'complete');
      expect(later.page.url()).toMatch(new RegExp(`#/threads/${threadId}$`));
      expect(await row.getByRole('link').getAttribute('aria-current')).toBe('page');
      await stack.screenshot(later.page, '6-thread-from-history');

      const historyArticle = runArticle(later.page, runId);
      const historyOutput = await historyArticle.locator('.run-output').evaluate((node) => node.outerHTML);
      const [liveNormal, historyNormal] = await normalizeHtml(later.page, [liveOutput, historyOutput]);
      expect(historyNormal).toBe(liveNormal);
      await expect(historyArticle.locator('.run-meta').textContent()).resolves.toBe(liveFooter);
      const [historyMessage, expectedMessage] = await normalizeHtml(later.page, [
        await historyArticle
          .locator(`[data-item-id="${itemId}"] .markdown`)
          .evaluate((node) => node.outerHTML),
        markdownHtml(HISTORY_ANSWER),
      ]);
      expect(historyMessage).toBe(expectedMessage);
      // a finished run comes from its stored snapshot: no stream is opened for it
      expect(streamRequests).toEqual([]);
      expect(live.pageErrors).toEqual([]);
      expect(later.pageErrors).toEqual([]);
    });
  },
);
