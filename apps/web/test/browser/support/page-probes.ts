// Scripts that run inside the page. They are plain JavaScript strings, so what Chromium runs is
// exactly what is written here (no transpiler helpers), and they only read the DOM.
import type { Page } from 'playwright-core';

/** What the stream probe saw, read back with {@link readStreamProbe}. */
export interface StreamProbe {
  /** Per agent message (by item id): every distinct rendering of its Markdown, in order. */
  messages: Record<string, string[]>;
  /** Per card (thinking by item id, tool by call id): every distinct status, in order. */
  cards: Record<string, string[]>;
}

/**
 * An init script (installed before the app loads, again after a reload) that records each
 * rendering of every agent message and each status of every card, at every DOM commit.
 */
export const streamProbeScript = `(() => {
  const probe = { messages: {}, cards: {} };
  window.__codyStreamProbe = probe;
  const push = (record, key, value) => {
    const list = record[key] || (record[key] = []);
    if (list[list.length - 1] !== value) list.push(value);
  };
  const record = () => {
    for (const message of document.querySelectorAll('.message-agent[data-item-id]')) {
      const markdown = message.querySelector('.markdown');
      if (markdown) push(probe.messages, message.getAttribute('data-item-id'), markdown.outerHTML);
    }
    for (const card of document.querySelectorAll('details.thinking[data-item-id]')) {
      push(probe.cards, 'thinking:' + card.getAttribute('data-item-id'), card.getAttribute('data-item-status') || '');
    }
    for (const card of document.querySelectorAll('.tool-card[data-call-id]')) {
      push(probe.cards, 'tool:' + card.getAttribute('data-call-id'), card.getAttribute('data-status') || '');
    }
  };
  new MutationObserver(record).observe(document, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
  });
})();`;

export function readStreamProbe(page: Page): Promise<StreamProbe> {
  return page.evaluate('window.__codyStreamProbe') as Promise<StreamProbe>;
}

/** Starts counting animation frames and collecting long tasks (PerformanceObserver 'longtask'). */
export async function startRenderProbe(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const probe = { start: performance.now(), end: 0, frames: 0, maxFrameGapMs: 0, longTasks: [], stopped: false };
    window.__codyRenderProbe = probe;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) probe.longTasks.push(entry.duration);
    }).observe({ type: 'longtask' });
    let last = performance.now();
    const tick = (now) => {
      if (probe.stopped) return;
      probe.frames += 1;
      probe.maxFrameGapMs = Math.max(probe.maxFrameGapMs, now - last);
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
}

export interface RenderFigures {
  elapsedMs: number;
  frames: number;
  maxFrameGapMs: number;
  longTasks: number[];
}

export async function stopRenderProbe(page: Page): Promise<RenderFigures> {
  return (await page.evaluate(`(() => {
    const probe = window.__codyRenderProbe;
    probe.stopped = true;
    return {
      elapsedMs: performance.now() - probe.start,
      frames: probe.frames,
      maxFrameGapMs: probe.maxFrameGapMs,
      longTasks: probe.longTasks,
    };
  })()`)) as RenderFigures;
}

/** HTML as Chromium serializes it after parsing: the form the live DOM is compared in. */
export function normalizeHtml(page: Page, html: readonly string[]): Promise<string[]> {
  return page.evaluate((list) => {
    const template = document.createElement('template');
    return list.map((item) => {
      template.innerHTML = item;
      // syntax highlighting (highlight.js, loaded lazily) only wraps the code's text in spans:
      // unwrapped, the text and structure must still be exact
      for (const span of template.content.querySelectorAll('span[class^="hljs"]')) {
        span.replaceWith(...span.childNodes);
      }
      for (const code of template.content.querySelectorAll('code.hljs')) {
        code.classList.remove('hljs');
        code.normalize();
      }
      template.content.normalize();
      return template.innerHTML;
    });
  }, html as string[]);
}
