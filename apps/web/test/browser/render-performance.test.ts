// [issue 7] Render-performance probe: a 1 MiB answer in 6554 deltas streams in as fast as the
// stack carries it (about a thousand deltas a second end to end on a 2-core machine) while the
// page counts animation frames and collects long tasks. The figures are printed, never
// asserted (timings belong to benchmarks); the final text must be exact.
import type { Response } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { agentMessageId, messageHtml, sendPrompt, waitForRunStatus } from './support/app-driver';
import { type BrowserStack, startBrowserStack } from './support/browser-stack';
import { findChromium } from './support/chromium';
import { markdownHtml } from './support/expected-markdown';
import { normalizeHtml, startRenderProbe, stopRenderProbe } from './support/page-probes';
import { splitDeltas } from './support/split-deltas';

const chromium = findChromium();

const MIB = 1024 * 1024;
const WORDS =
  'stream render frame delta reducer hydrator redis worker snapshot cursor token markdown block paragraph latency'.split(
    ' ',
  );

/** About 1 MiB of ordinary Markdown: headings, paragraphs, lists and code fences. */
function megabyteOfMarkdown(): string {
  const parts: string[] = [];
  let size = 0;
  let seed = 7;
  const word = () => {
    seed = (seed * 48271) % 2147483647;
    return WORDS[seed % WORDS.length] as string;
  };
  for (let i = 0; size < MIB; i += 1) {
    let part: string;
    if (i % 9 === 0) part = `## Section ${i / 9 + 1}`;
    else if (i % 5 === 0)
      part = [1, 2, 3].map((n) => `- item ${n}: ${word()} ${word()} **${word()}**`).join('\n');
    else if (i % 11 === 0)
      part = [
        '```ts',
        ...Array.from({ length: 6 }, (_, n) => `const ${word()}${n} = '${word()}';`),
        '```',
      ].join('\n');
    else part = Array.from({ length: 90 }, (_, n) => (n === 40 ? `\`${word()}\`` : word())).join(' ');
    parts.push(part);
    size += part.length + 2;
  }
  return parts.join('\n\n').slice(0, MIB);
}

const TEXT = megabyteOfMarkdown();
const DELTAS = splitDeltas(TEXT, 160);

function firstDifference(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) if (a[i] !== b[i]) return i;
  return length;
}

describe.skipIf(!chromium.found)(
  chromium.found
    ? 'browser: render performance'
    : `browser: render performance — skipped: ${chromium.reason}`,
  () => {
    let stack: BrowserStack;
    beforeAll(async () => {
      if (!chromium.found) return;
      stack = await startBrowserStack({
        suite: 'render-perf',
        chromiumPath: chromium.path,
        webDist: inject('webDist'),
        // no pause between deltas: the server, Redis and the SSE set the pace
        rules: [{ match: { marker: 'BT-PERF' }, reply: replies.text(DELTAS, { delayMs: 0 }) }],
      });
    });
    afterAll(() => stack?.close());

    it('a 1 MiB answer streamed at full speed renders to the exact text (frames and long tasks printed)', async () => {
      const { page, pageErrors } = await stack.openApp();
      await startRenderProbe(page);
      const started = Date.now();
      const runId = await sendPrompt(page, 'Stream a megabyte BT-PERF');
      await waitForRunStatus(page, runId, 'complete');
      const streamedMs = Date.now() - started;
      const figures = await stopRenderProbe(page);
      await stack.screenshot(page, '7-render-performance');

      const longTotal = figures.longTasks.reduce((sum, ms) => sum + ms, 0);
      const seconds = figures.elapsedMs / 1000;
      console.log(
        [
          `render probe: ${DELTAS.length} deltas, ${(TEXT.length / MIB).toFixed(2)} MiB in ${streamedMs} ms`,
          `(${Math.round(DELTAS.length / (streamedMs / 1000))} deltas/s end to end)`,
          `frames: ${figures.frames} in ${figures.elapsedMs.toFixed(0)} ms = ${(figures.frames / seconds).toFixed(1)} fps,`,
          `longest frame gap ${figures.maxFrameGapMs.toFixed(0)} ms`,
          `long tasks: ${figures.longTasks.length}, total ${longTotal.toFixed(0)} ms,`,
          `longest ${Math.max(0, ...figures.longTasks).toFixed(0)} ms`,
        ].join('\n  '),
      );

      const itemId = await agentMessageId(page, runId);
      const [shown = '', expected = ''] = await normalizeHtml(page, [
        await messageHtml(page, itemId),
        markdownHtml(TEXT),
      ]);
      if (shown !== expected) {
        const at = firstDifference(shown, expected);
        expect(shown.slice(Math.max(0, at - 200), at + 200)).toBe(
          expected.slice(Math.max(0, at - 200), at + 200),
        );
      }
      expect(shown.length).toBe(expected.length);

      const stored = (await stack.api<Response>('GET', `/api/v2/runs/${runId}`)).json;
      const message = stored.output_items.find((item) => item.id === itemId);
      expect(message?.type === 'message' && message.content === TEXT).toBe(true);
      expect(pageErrors).toEqual([]);
    });
  },
);
