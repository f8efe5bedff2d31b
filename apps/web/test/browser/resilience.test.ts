// [issue 7] The network is cut mid-stream and restored; the page is reloaded mid-stream. Either
// way the run finishes on screen with exactly the streamed text: nothing lost, nothing doubled.
import type { Response } from '@cody/schema';
import { loadRecording, replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { agentMessageId, checkStreamedMessage, sendPrompt, waitForRunStatus } from './support/app-driver';
import { type BrowserStack, startBrowserStack } from './support/browser-stack';
import { findChromium } from './support/chromium';
import { streamProbeScript } from './support/page-probes';
import { splitDeltas } from './support/split-deltas';

const chromium = findChromium();

// a real OpenAI stream: multi-part reasoning summary, then 271 text deltas
const RECORDING = 'openai-responses/reasoning-summary-multipart-encrypted.sse';
const RECORDED_DELTAS = loadRecording(RECORDING).flatMap((frame) => {
  if (frame.event !== 'response.output_text.delta') return [];
  const data = frame.raw.split('\n').find((line) => line.startsWith('data:')) ?? '';
  return [(JSON.parse(data.slice('data:'.length)) as { delta: string }).delta];
});

const STORY = Array.from(
  { length: 6 },
  (_, i) =>
    `${i % 3 === 0 ? `## Part ${i + 1}\n\n` : ''}Paragraph ${i + 1} of a story that keeps streaming while the page reloads: ` +
    'the client loads the thread again, follows the live run from the start of its stream, and the reducer ' +
    `ignores nothing it has not seen before — *part ${i + 1}* ends here.`,
).join('\n\n');
const STORY_DELTAS = splitDeltas(STORY, 8);

// a function, not a string: the app's CSP forbids eval, and a string predicate is eval'd in the page
const probeCountAtLeast = ([itemId, count]: [string, number]) =>
  // biome-ignore lint/suspicious/noExplicitAny: the probe is a test global installed by streamProbeScript
  ((window as any).__codyStreamProbe.messages[itemId] || []).length >= count;

describe.skipIf(!chromium.found)(
  chromium.found ? 'browser: resilience' : `browser: resilience — skipped: ${chromium.reason}`,
  () => {
    let stack: BrowserStack;
    beforeAll(async () => {
      if (!chromium.found) return;
      stack = await startBrowserStack({
        suite: 'resilience',
        chromiumPath: chromium.path,
        webDist: inject('webDist'),
        rules: [
          { match: { marker: 'BT-CUT' }, reply: replies.recording(RECORDING, { delayMs: 8 }) },
          { match: { marker: 'BT-RELOAD' }, reply: replies.text(STORY_DELTAS, { delayMs: 12 }) },
        ],
      });
    });
    afterAll(() => stack?.close());

    it('the network is cut mid-stream and restored: the app resumes with Last-Event-ID and the text equals the recording', async () => {
      expect(RECORDED_DELTAS).toHaveLength(271);
      const { context, page, pageErrors } = await stack.openApp({
        via: 'proxy',
        initScript: streamProbeScript,
      });
      const streamRequests: (string | undefined)[] = [];
      page.on('request', (request) => {
        if (request.url().includes('/api/v2/stream/'))
          streamRequests.push(request.headers()['last-event-id']);
      });

      const runId = await sendPrompt(page, 'How do I cross the street? BT-CUT');
      const itemId = await agentMessageId(page, runId);
      await page.waitForFunction(probeCountAtLeast, [itemId, 5] as [string, number]);

      // cut: open connections (the SSE body mid-stream) are dropped, new ones fail
      stack.proxy.cut();
      await context.setOffline(true);
      const atCut = await checkStreamedMessage(page, itemId, RECORDED_DELTAS);
      const shownAtCut = atCut.deltasShown.at(-1) ?? 0;
      expect(atCut.unexpected).toEqual([]);
      expect(shownAtCut).toBeGreaterThan(0);
      expect(shownAtCut).toBeLessThan(RECORDED_DELTAS.length);
      await page.getByRole('status').filter({ hasText: 'Connection lost, reconnecting' }).waitFor();
      await stack.screenshot(page, '3-network-cut');

      // the run goes on without this page: wait until the server has text the page has not seen
      const seenChars = RECORDED_DELTAS.slice(0, shownAtCut).join('').length;
      await stack.waitForRun(runId, (run) => {
        const message = run.output_items.find((item) => item.id === itemId);
        const stored = message?.type === 'message' ? message.content.length : 0;
        return stored >= seenChars + 200 || run.status !== 'in_progress';
      });

      // back: the proxy first, so the reconnect the 'online' event triggers goes through
      stack.proxy.restore();
      await context.setOffline(false);
      await waitForRunStatus(page, runId, 'complete');
      await stack.screenshot(page, '3-network-restored');

      const check = await checkStreamedMessage(page, itemId, RECORDED_DELTAS);
      expect(check.shown).toBe(check.expected);
      expect(check.unexpected).toEqual([]);
      expect(check.deltasShown).toEqual([...check.deltasShown].sort((a, b) => a - b));
      // it resumed after the last event it had, rather than starting over
      expect(streamRequests[0]).toBeUndefined();
      expect(streamRequests.at(-1)).toMatch(/^\d+-\d+$/);

      const stored = (await stack.api<Response>('GET', `/api/v2/runs/${runId}`)).json;
      expect(stored.output_items.find((item) => item.id === itemId)).toMatchObject({
        content: RECORDED_DELTAS.join(''),
      });
      expect(pageErrors).toEqual([]);
    });

    it('the page is reloaded mid-stream and the run finishes with the exact text', async () => {
      const { page, pageErrors } = await stack.openApp({ initScript: streamProbeScript });
      const runId = await sendPrompt(page, 'Tell me a story BT-RELOAD');
      const itemId = await agentMessageId(page, runId);
      await page.waitForFunction(probeCountAtLeast, [itemId, 5] as [string, number]);
      const beforeReload = await checkStreamedMessage(page, itemId, STORY_DELTAS);
      expect(beforeReload.unexpected).toEqual([]);
      expect(beforeReload.deltasShown.at(-1)).toBeLessThan(STORY_DELTAS.length);
      const threadUrl = page.url();

      await page.reload();
      expect(page.url()).toBe(threadUrl);
      await waitForRunStatus(page, runId, 'complete');
      await stack.screenshot(page, '4-reloaded-and-finished');

      // the probe starts again with the new document: it saw the run live, then finished
      const afterReload = await checkStreamedMessage(page, itemId, STORY_DELTAS);
      expect(afterReload.shown).toBe(afterReload.expected);
      expect(afterReload.unexpected).toEqual([]);
      expect(afterReload.deltasShown[0]).toBeLessThan(STORY_DELTAS.length);
      expect(afterReload.deltasShown).toEqual([...afterReload.deltasShown].sort((a, b) => a - b));
      expect(pageErrors).toEqual([]);
    });
  },
);
