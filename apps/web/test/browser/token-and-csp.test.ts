// [issue 10] The app against a server started with CODY_API_TOKEN, under the server's
// Content-Security-Policy: it asks for the token, Settings takes it, and a prompt then streams
// in (the SSE stream is fetched with the Authorization header, never with the token in a URL).
// Chromium enforces the policy; any violation the page reports fails the test.
import { randomUUID } from 'node:crypto';
import type { Response } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runArticle, sendPrompt, waitForRunStatus } from './support/app-driver';
import { type BrowserStack, startBrowserStack } from './support/browser-stack';
import { findChromium } from './support/chromium';

const chromium = findChromium();
const TOKEN = `browser-token-${randomUUID()}`;
const ANSWER = 'Authorized and streaming under the policy.';

// every CSP violation the page reports, kept where the test can read it
const violationProbe = `(() => {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
  });
})();`;

describe.skipIf(!chromium.found)(
  chromium.found ? 'browser: token and CSP' : `browser: token and CSP — skipped: ${chromium.reason}`,
  () => {
    let stack: BrowserStack;
    beforeAll(async () => {
      if (!chromium.found) return;
      stack = await startBrowserStack({
        suite: 'token-and-csp',
        chromiumPath: chromium.path,
        webDist: inject('webDist'),
        token: TOKEN,
        rules: [
          {
            match: { lastUserText: 'with the token' },
            reply: replies.text(
              ANSWER.split(' ').map((word, i) => (i === 0 ? word : ` ${word}`)),
              {
                delayMs: 20,
              },
            ),
          },
        ],
      });
    });
    afterAll(() => stack?.close());

    it('the app asks for the token, Settings takes it, a prompt streams, and no policy is violated', async () => {
      const { context, page, pageErrors } = await stack.openApp({ initScript: violationProbe });
      const requests: { url: string; authorization: string | undefined }[] = [];
      page.on('request', (request) => {
        requests.push({ url: request.url(), authorization: request.headers().authorization });
      });

      // the shell was served under the policy
      const shell = await context.request.get(`${stack.url}/`);
      const csp = shell.headers()['content-security-policy'] ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');

      await page.getByText('This server needs an API token.').waitFor();
      await page.getByRole('button', { name: 'Open settings' }).click();
      await page.getByLabel('API token').fill(TOKEN);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('This server needs an API token.').waitFor({ state: 'detached' });

      const runId = await sendPrompt(page, 'Answer me with the token');
      await waitForRunStatus(page, runId, 'complete');
      await expect(runArticle(page, runId).locator('.message-agent .markdown').textContent()).resolves.toBe(
        ANSWER,
      );
      await stack.screenshot(page, 'token-and-csp');

      const stored = await stack.api<Response>('GET', `/api/v2/runs/${runId}`);
      expect(stored.json.status).toBe('complete');
      // the stream went out with the header; no request carried the token in its URL
      const stream = requests.filter((request) => request.url.includes(`/api/v2/stream/${runId}`));
      expect(stream.length).toBeGreaterThan(0);
      for (const request of stream) expect(request.authorization).toBe(`Bearer ${TOKEN}`);
      expect(requests.filter((request) => request.url.includes(TOKEN))).toEqual([]);

      const violations = await page.evaluate(
        () => (window as { __cspViolations?: string[] }).__cspViolations,
      );
      expect(violations).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  },
);
