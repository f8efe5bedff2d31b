// [issue 16] Retry, Regenerate and Edit start a new run of the same turn; a "New thread" thread
// is titled by its first prompt; a stopped tool call reads "Stopped"; the phone layout leaves the
// conversation most of the screen. Real server, Redis, workers and tools; the test LLM at the wire.
import type { Response, Thread } from '@cody/schema';
import { replies } from '@cody/test-llm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runArticle, sendPrompt, waitForRunStatus } from './support/app-driver';
import { type BrowserStack, startBrowserStack } from './support/browser-stack';
import { findChromium } from './support/chromium';

const chromium = findChromium();

interface ThreadWithRuns {
  thread: Thread;
  runs: Response[];
}

/** The user's texts the provider received in its last request for `marker`. */
function userTexts(stack: BrowserStack, marker: string): string[] {
  const request = stack.llm.findRequests({ marker }).at(-1);
  return (request?.transcript ?? []).flatMap((entry) =>
    entry.kind === 'text' && entry.role === 'user' ? [entry.text] : [],
  );
}

const runIds = (page: Page) =>
  page
    .locator('article[data-run-id]')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-run-id')));

/** Waits for the run that replaces `runId` to be on screen; returns its id. */
async function replacement(page: Page, runId: string): Promise<string> {
  const article = page.locator(`article[data-replaces-run-id="${runId}"]`);
  await article.waitFor();
  const id = await article.getAttribute('data-run-id');
  if (!id) throw new Error('the replacing run has no id');
  return id;
}

describe.skipIf(!chromium.found)(
  chromium.found ? 'browser: turn actions' : `browser: turn actions — skipped: ${chromium.reason}`,
  () => {
    let stack: BrowserStack;
    beforeAll(async () => {
      if (!chromium.found) return;
      stack = await startBrowserStack({
        suite: 'turn-actions',
        chromiumPath: chromium.path,
        webDist: inject('webDist'),
        rules: [
          // fails once mid-stream (no SDK retry), then the default script answers the retry
          {
            match: { lastUserText: 'BT-RETRY-FAIL' },
            reply: replies.text('This answer breaks off', { error: { afterEvents: 4 } }),
            times: 1,
          },
          { match: { marker: 'BT-REGEN' }, reply: replies.text('The first answer.'), times: 1 },
          { match: { marker: 'BT-REGEN' }, reply: replies.text('The regenerated answer.') },
          {
            match: { marker: 'BT-EDIT', lastUserText: 'original' },
            reply: replies.text('Answer to the original.'),
          },
          {
            match: { marker: 'BT-EDIT', lastUserText: 'edited' },
            reply: replies.text('Answer to the edit.'),
          },
          {
            match: { marker: 'BT-TOOLSTOP', step: 1 },
            reply: replies.toolCalls([{ name: 'exec', arguments: { command: ['sleep', '30'] } }]),
          },
        ],
      });
    });
    afterAll(() => stack?.close());

    it('"Retry" on a failed run starts a new run of the same turn; the failed one is not history', async () => {
      const { page, pageErrors } = await stack.openApp();
      const first = await sendPrompt(page, 'Say hello BT-RETRY first');
      await waitForRunStatus(page, first, 'complete');
      const failed = await sendPrompt(page, 'Now fail BT-RETRY-FAIL');
      await waitForRunStatus(page, failed, 'error');
      await expect
        .poll(() => runArticle(page, failed).locator('.error-banner').textContent())
        .toContain('PROVIDER_');

      await runArticle(page, failed).getByRole('button', { name: 'Retry' }).click();
      const retry = await replacement(page, failed);
      await waitForRunStatus(page, retry, 'complete');
      expect(await runIds(page)).toEqual([first, retry]);
      await stack.screenshot(page, '16-retry');

      const stored = await stack.waitForRun(retry);
      const failedRun = await stack.waitForRun(failed);
      expect(stored.replaces_run_id).toBe(failed);
      expect(stored.turn_id).toBe(failedRun.turn_id);
      expect(stored.output_items[0]).toMatchObject({ origin: 'user', content: 'Now fail BT-RETRY-FAIL' });
      // the provider saw the first turn and the retried prompt once: not the failed attempt
      expect(userTexts(stack, 'BT-RETRY')).toEqual(['Say hello BT-RETRY first', 'Now fail BT-RETRY-FAIL']);
      const thread = await stack.api<ThreadWithRuns>('GET', `/api/v2/threads/${stored.thread_id}`);
      expect(thread.json.runs.map((run) => [run.id, run.replaces_run_id])).toEqual([
        [first, undefined],
        [failed, undefined],
        [retry, failed],
      ]);
      expect(pageErrors).toEqual([]);
    });

    it('"Regenerate" on a complete run answers again; a reload shows only the new answer', async () => {
      const { page, pageErrors } = await stack.openApp();
      const first = await sendPrompt(page, 'Answer me BT-REGEN');
      await waitForRunStatus(page, first, 'complete');
      await expect
        .poll(() => runArticle(page, first).locator('.message-agent').textContent())
        .toBe('The first answer.');

      await runArticle(page, first).getByRole('button', { name: 'Regenerate' }).click();
      const regenerated = await replacement(page, first);
      await waitForRunStatus(page, regenerated, 'complete');
      await expect
        .poll(() => runArticle(page, regenerated).locator('.message-agent').textContent())
        .toBe('The regenerated answer.');
      expect(await runIds(page)).toEqual([regenerated]);

      // history: the same single turn after a reload
      await page.reload();
      await waitForRunStatus(page, regenerated, 'complete');
      expect(await runIds(page)).toEqual([regenerated]);
      expect(await runArticle(page, regenerated).locator('.message-agent').textContent()).toBe(
        'The regenerated answer.',
      );
      // the regeneration was asked without the first answer in its history
      expect(userTexts(stack, 'BT-REGEN')).toEqual(['Answer me BT-REGEN']);
      const request = stack.llm.findRequests({ marker: 'BT-REGEN' }).at(-1);
      expect(
        request?.transcript.some((entry) => entry.kind === 'text' && entry.text.includes('first answer')),
      ).toBe(false);
      expect(pageErrors).toEqual([]);
    });

    it('"Edit" on a sent message changes it and sends it as a new run', async () => {
      const { page, pageErrors } = await stack.openApp();
      const first = await sendPrompt(page, 'BT-EDIT the original question');
      await waitForRunStatus(page, first, 'complete');

      await runArticle(page, first).getByRole('button', { name: 'Edit message' }).click();
      const editor = page.getByRole('textbox', { name: 'Edit message' });
      expect(await editor.inputValue()).toBe('BT-EDIT the original question');
      await editor.fill('BT-EDIT the edited question');
      await page.getByRole('button', { name: 'Send edited message' }).click();

      const edited = await replacement(page, first);
      await waitForRunStatus(page, edited, 'complete');
      expect(await runIds(page)).toEqual([edited]);
      expect(await runArticle(page, edited).locator('.user-text').textContent()).toBe(
        'BT-EDIT the edited question',
      );
      expect(await runArticle(page, edited).locator('.message-agent').textContent()).toBe(
        'Answer to the edit.',
      );
      expect(userTexts(stack, 'BT-EDIT')).toEqual(['BT-EDIT the edited question']);
      const stored = await stack.waitForRun(edited);
      expect(stored.replaces_run_id).toBe(first);
      expect(pageErrors).toEqual([]);
    });

    it('a thread made with "New thread" takes its title from its first prompt', async () => {
      const { page, pageErrors } = await stack.openApp();
      await page.getByRole('button', { name: 'New thread' }).click();
      await page.waitForURL(/#\/threads\//);
      const threadId = new URL(page.url()).hash.split('/').at(-1);
      expect(await page.locator(`li[data-thread-id="${threadId}"] .thread-link-title`).textContent()).toBe(
        'New thread',
      );
      const runId = await sendPrompt(page, 'Plan a picnic by the lake\nwith details');
      await waitForRunStatus(page, runId, 'complete');
      await expect
        .poll(() => page.locator(`li[data-thread-id="${threadId}"] .thread-link-title`).textContent())
        .toBe('Plan a picnic by the lake');
      const thread = await stack.api<ThreadWithRuns>('GET', `/api/v2/threads/${threadId}`);
      expect(thread.json.thread.title).toBe('Plan a picnic by the lake');
      expect(pageErrors).toEqual([]);
    });

    it('a tool call stopped by "Stop" reads "Stopped", not "Failed"', async () => {
      const { page, pageErrors } = await stack.openApp();
      // running, not waiting for approval: the option that asks first is turned off
      await page.getByRole('checkbox', { name: 'Ask before running commands and edits' }).uncheck();
      const runId = await sendPrompt(page, 'Run something slow BT-TOOLSTOP');
      const card = runArticle(page, runId).locator('[role="group"][data-call-id]');
      await card.locator('.badge', { hasText: 'Running…' }).waitFor();
      await page.getByRole('button', { name: 'Stop', exact: true }).click();
      await waitForRunStatus(page, runId, 'aborted');
      await expect.poll(() => card.getAttribute('data-status')).toBe('cancelled');
      expect(await card.locator('.badge').textContent()).toBe('Stopped');
      expect(await card.locator('.badge').textContent()).not.toBe('Failed');
      await stack.screenshot(page, '16-tool-stopped');
      // the same from history
      await page.reload();
      await waitForRunStatus(page, runId, 'aborted');
      expect(await runArticle(page, runId).locator('[role="group"][data-call-id] .badge').textContent()).toBe(
        'Stopped',
      );
      expect(pageErrors).toEqual([]);
    });

    it('phone layout (390×844): the conversation keeps at least 70 % of the height; models behind one button', async () => {
      const { page, pageErrors } = await stack.openApp({
        viewport: { width: 390, height: 844 },
        mobile: true,
      });
      const runId = await sendPrompt(page, 'Hello from a phone');
      await waitForRunStatus(page, runId, 'complete');
      const share = await page.evaluate(() => {
        const conversation = document.querySelector('section.conversation')?.getBoundingClientRect();
        return (conversation?.height ?? 0) / window.innerHeight;
      });
      console.log(`phone layout: the conversation takes ${(share * 100).toFixed(1)} % of 844 px`);
      expect(share).toBeGreaterThanOrEqual(0.7);
      // the pickers are hidden until their one button opens them
      expect(await page.getByRole('combobox', { name: 'Model' }).isVisible()).toBe(false);
      const toggle = page.getByRole('button', { name: /Model settings/ });
      await toggle.click();
      expect(await page.getByRole('combobox', { name: 'Model' }).isVisible()).toBe(true);
      await toggle.click();
      await stack.screenshot(page, '16-phone');
      expect(pageErrors).toEqual([]);
    });
  },
);
