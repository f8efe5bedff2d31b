// What a user does in the app, in Playwright terms, plus reading back what the app shows.
import type { Locator, Page } from 'playwright-core';
import { markdownHtml, prefixes } from './expected-markdown';
import { normalizeHtml, readStreamProbe } from './page-probes';

/** Types the prompt in the textbox "Message", presses Enter; resolves with the new run's id. */
export async function sendPrompt(page: Page, prompt: string): Promise<string> {
  const runs = page.locator('article[data-run-id]');
  const before = await runs.count();
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(prompt);
  await box.press('Enter');
  const article = runs.nth(before);
  await article.waitFor();
  const runId = await article.getAttribute('data-run-id');
  if (!runId) throw new Error('the new run has no data-run-id');
  return runId;
}

export const runArticle = (page: Page, runId: string): Locator =>
  page.locator(`article[data-run-id="${runId}"]`);

/** Waits until the run's article shows this status (`complete`, `aborted`, …). */
export async function waitForRunStatus(page: Page, runId: string, status: string): Promise<void> {
  await page.locator(`article[data-run-id="${runId}"][data-status="${status}"]`).waitFor();
}

/** The id of the run's last agent message, once it is on screen. */
export async function agentMessageId(page: Page, runId: string): Promise<string> {
  const message = runArticle(page, runId).locator('.message-agent[data-item-id]').last();
  await message.waitFor();
  const id = await message.getAttribute('data-item-id');
  if (!id) throw new Error('the agent message has no data-item-id');
  return id;
}

/** The rendered Markdown of one message, as Chromium serializes it. */
export async function messageHtml(page: Page, itemId: string): Promise<string> {
  return page
    .locator(`.message-agent[data-item-id="${itemId}"] .markdown`)
    .evaluate((node) => node.outerHTML);
}

export interface StreamedMessageCheck {
  /** The message's Markdown now, normalized. */
  shown: string;
  /** What the app renders for the whole expected text, normalized. */
  expected: string;
  /** Every distinct rendering the stream probe saw, normalized, in order. */
  seen: string[];
  /** Renderings that are not the expected text cut after some delta (a doubled or lost piece shows here). */
  unexpected: string[];
  /** For each rendering seen, how many deltas it shows (-1 for an unexpected one). */
  deltasShown: number[];
}

/**
 * Compares what the page shows (now, and at every commit the probe saw) with the expected text:
 * the final DOM must be the rendering of the whole text, and every earlier one the rendering of
 * the text cut after some delta.
 */
export async function checkStreamedMessage(
  page: Page,
  itemId: string,
  deltas: readonly string[],
): Promise<StreamedMessageCheck> {
  // the message starts empty, then shows the text after 1, 2, … deltas
  const allowed = await normalizeHtml(page, ['', ...prefixes(deltas)].map(markdownHtml));
  const index = new Map<string, number>();
  allowed.forEach((html, i) => {
    if (!index.has(html)) index.set(html, i);
  });
  const probe = await readStreamProbe(page);
  const seen = await normalizeHtml(page, probe.messages[itemId] ?? []);
  const [shown] = await normalizeHtml(page, [await messageHtml(page, itemId)]);
  return {
    shown: shown ?? '',
    expected: allowed.at(-1) ?? '',
    seen,
    unexpected: seen.filter((html) => !index.has(html)),
    deltasShown: seen.map((html) => index.get(html) ?? -1),
  };
}
