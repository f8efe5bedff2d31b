// [issue 15] Tool approvals in the app: with "Ask before running commands and edits" on (the
// default), a command waits on its card with Approve and Deny; the decision survives a reload.
// Real server, Redis, workers and tools; the test LLM at the wire; Chromium.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from '@cody/schema';
import { type Rule, replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runArticle, sendPrompt, waitForRunStatus } from './support/app-driver';
import { type BrowserStack, startBrowserStack } from './support/browser-stack';
import { findChromium } from './support/chromium';

const chromium = findChromium();

function execRules(marker: string): Rule[] {
  return [
    {
      match: { marker, step: 1 },
      reply: replies.toolCalls([
        { name: 'exec', arguments: { shell: `touch ${marker}.txt && echo created ${marker}` } },
      ]),
    },
    {
      match: { marker, step: 2 },
      reply: (request) => replies.text(`Tool said: ${request.stepToolResults[0]?.output ?? '(nothing)'}`),
    },
  ];
}

const pending = (run: Response) =>
  run.output_items.some((item) => item.type === 'function_call' && item.approval?.status === 'pending');

describe.skipIf(!chromium.found)(
  chromium.found ? 'browser: tool approvals' : `browser: tool approvals — skipped: ${chromium.reason}`,
  () => {
    let stack: BrowserStack;
    beforeAll(async () => {
      if (!chromium.found) return;
      stack = await startBrowserStack({
        suite: 'approvals',
        chromiumPath: chromium.path,
        webDist: inject('webDist'),
        rules: [...execRules('BT-APPROVE'), ...execRules('BT-DENY')],
      });
    });
    afterAll(() => stack?.close());

    it('a command waits on its card with Approve/Deny; after a reload, Approve runs it', async () => {
      const { page, pageErrors } = await stack.openApp();
      const option = page.getByRole('checkbox', { name: 'Ask before running commands and edits' });
      expect(await option.isChecked()).toBe(true);
      const runId = await sendPrompt(page, 'Make a file BT-APPROVE');
      const card = runArticle(page, runId).locator('[role="group"][data-call-id]');
      await card.locator('.badge', { hasText: 'Needs approval' }).waitFor();
      expect(await card.locator('.card-title').textContent()).toBe('exec');
      expect(await card.textContent()).toContain('touch BT-APPROVE.txt');
      expect(await card.getByRole('button', { name: 'Approve' }).count()).toBe(1);
      expect(await card.getByRole('button', { name: 'Deny' }).count()).toBe(1);
      await stack.screenshot(page, '20-approval-pending');
      expect(existsSync(join(stack.workspace, 'BT-APPROVE.txt'))).toBe(false);

      // the pending call is still there after a reload, from the stored run and its stream
      await page.reload();
      const again = runArticle(page, runId).locator('[role="group"][data-call-id]');
      const approve = again.getByRole('button', { name: 'Approve' });
      await approve.waitFor();
      // keyboard: the button takes the focus and Enter presses it
      await approve.focus();
      await page.keyboard.press('Enter');
      await waitForRunStatus(page, runId, 'complete');
      await expect.poll(() => again.getAttribute('data-status')).toBe('success');
      expect(await again.textContent()).toContain('created BT-APPROVE');
      expect(await again.getByRole('button', { name: 'Approve' }).count()).toBe(0);
      expect(existsSync(join(stack.workspace, 'BT-APPROVE.txt'))).toBe(true);
      await stack.screenshot(page, '21-approval-approved');
      const stored = await stack.waitForRun(runId);
      expect(stored.status).toBe('complete');
      expect(pending(stored)).toBe(false);
      expect(pageErrors).toEqual([]);
    });

    it('Deny with a reason: the card says so, the model reads the reason, nothing ran', async () => {
      const { page, pageErrors } = await stack.openApp();
      const runId = await sendPrompt(page, 'Make a file BT-DENY');
      const card = runArticle(page, runId).locator('[role="group"][data-call-id]');
      await card.getByRole('button', { name: 'Deny' }).waitFor();
      await card.getByRole('textbox', { name: 'Reason for denying (optional)' }).fill('not in this folder');
      await card.getByRole('button', { name: 'Deny' }).click();
      await waitForRunStatus(page, runId, 'complete');
      await card.locator('.approval-outcome', { hasText: 'Denied: not in this folder' }).waitFor();
      await expect.poll(() => card.getAttribute('data-status')).toBe('failure');
      await stack.screenshot(page, '22-approval-denied');
      expect(existsSync(join(stack.workspace, 'BT-DENY.txt'))).toBe(false);
      const [, second] = stack.llm.findRequests({ marker: 'BT-DENY' });
      expect(second?.stepToolResults[0]?.output).toContain('not in this folder');
      expect(pageErrors).toEqual([]);
    });
  },
);
