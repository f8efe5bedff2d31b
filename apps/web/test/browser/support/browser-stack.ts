// One real stack per browser test file: the test LLM at the wire, the in-process server (with
// its persistence and tool workers) on real Redis under its own key prefix and temp workspace,
// serving the freshly built web app, and a headless Chromium.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Response } from '@cody/schema';
import { type CodyServer, createCodyServer, loadConfig } from '@cody/server';
import { type Rule, startTestLlm, type TestLlm } from '@cody/test-llm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { type CuttableProxy, startCuttableProxy } from './cuttable-proxy';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const artifactsDir = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'artifacts',
  'browser',
);

export interface BrowserStackOptions {
  /** Names the key prefix and the artifacts. */
  suite: string;
  chromiumPath: string;
  webDist: string;
  rules: Rule[];
  /** Starts the server with `CODY_API_TOKEN`; `api()` then sends it. */
  token?: string;
}

export interface OpenPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions in the page: a test ends by asserting there were none. */
  pageErrors: Error[];
}

export interface BrowserStack {
  /** The server, straight. */
  url: string;
  /** The server through a proxy that can cut the network (see `proxy.cut`). */
  proxy: CuttableProxy;
  llm: TestLlm;
  workspace: string;
  server: CodyServer;
  browser: Browser;
  /** A fresh browser context (its own storage) with one page on the app. */
  openApp(options?: {
    via?: 'direct' | 'proxy';
    initScript?: string;
    viewport?: { width: number; height: number };
    /** Phone emulation: touch, mobile viewport. */
    mobile?: boolean;
  }): Promise<OpenPage>;
  api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
  /** Polls GET /api/v2/runs/:id until `done` holds (default: a terminal status). */
  waitForRun(runId: string, done?: (run: Response) => boolean): Promise<Response>;
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

const isTerminal = (status: Response['status']) =>
  status === 'complete' || status === 'error' || status === 'aborted';

export async function startBrowserStack(options: BrowserStackOptions): Promise<BrowserStack> {
  const llm = await startTestLlm({ rules: options.rules });
  const workspace = mkdtempSync(join(tmpdir(), 'cody-browser-'));
  const prefix = `test:web-browser:${options.suite}:${randomUUID().slice(0, 8)}:`;
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL,
    CODY_REDIS_PREFIX: prefix,
    CODY_WORKSPACE: workspace,
    CODY_WEB_DIST: options.webDist,
    OPENAI_API_KEY: 'test-openai-key',
    OPENAI_BASE_URL: llm.openaiBaseUrl,
    ANTHROPIC_API_KEY: 'test-anthropic-key',
    ANTHROPIC_BASE_URL: llm.anthropicBaseUrl,
    // what `npm run demo` sets: the UI marks these runs as the test model's
    CODY_TEST_LLM_URL: llm.url,
    CODY_RUN_TTL_SECONDS: '300',
    LOG_LEVEL: 'warn',
    // the tests poll runs every 50 ms next to the app's own requests: limits no person reaches
    CODY_RATE_LIMIT_API: '1000000',
    CODY_RATE_LIMIT_SUBMIT: '1000000',
    ...(options.token ? { CODY_API_TOKEN: options.token } : {}),
  };
  const authorization: Record<string, string> = options.token
    ? { authorization: `Bearer ${options.token}` }
    : {};
  const server = await createCodyServer({ config: loadConfig(env), env, logger: false });
  const url = (await server.listen()).replace('0.0.0.0', '127.0.0.1');
  // a connection of our own, still open after the server closed, to remove this suite's keys
  const redis = server.context.transport.redis.duplicate();
  const proxy = await startCuttableProxy({ host: '127.0.0.1', port: Number(new URL(url).port) });
  const browser = await launchChromium(options.chromiumPath);
  const contexts = new Set<BrowserContext>();
  mkdirSync(artifactsDir, { recursive: true });

  const stack: BrowserStack = {
    url,
    proxy,
    llm,
    workspace,
    server,
    browser,
    async openApp({ via = 'direct', initScript, viewport, mobile = false } = {}) {
      const context = await browser.newContext({
        viewport: viewport ?? { width: 1280, height: 800 },
        colorScheme: 'light',
        ...(mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      });
      // Playwright's 30 s default is a budget a loaded machine misses: every wait awaits its
      // condition, bounded only by the test timeout (a hang detector)
      context.setDefaultTimeout(0);
      context.setDefaultNavigationTimeout(0);
      contexts.add(context);
      if (initScript) await context.addInitScript({ content: initScript });
      const page = await context.newPage();
      const pageErrors: Error[] = [];
      page.on('pageerror', (error) => pageErrors.push(error));
      await page.goto(`${via === 'proxy' ? proxy.url : url}/`);
      await page.getByRole('textbox', { name: 'Message' }).waitFor();
      return { context, page, pageErrors };
    },
    async api<T>(method: string, path: string, body?: unknown) {
      const init: RequestInit = { method, headers: { ...authorization } };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers = { ...authorization, 'content-type': 'application/json' };
      }
      const response = await fetch(`${url}${path}`, init);
      const text = await response.text();
      return { status: response.status, json: (text ? JSON.parse(text) : undefined) as T };
    },
    async waitForRun(runId, done = (run) => isTerminal(run.status)) {
      // a hang detector, not a budget: the run is awaited however slow the machine is
      const deadline = Date.now() + 300_000;
      let last: unknown;
      while (Date.now() < deadline) {
        const reply = await stack.api<Response>('GET', `/api/v2/runs/${runId}`);
        last = reply.json;
        if (reply.status === 200 && done(reply.json)) return reply.json;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(
        `run ${runId} did not reach the expected state; last: ${JSON.stringify(last)?.slice(0, 300)}`,
      );
    },
    async screenshot(page, name) {
      const file = join(artifactsDir, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await proxy.close();
      await server.close();
      await llm.close();
      await deleteKeys(redis, prefix);
      redis.disconnect();
      rmSync(workspace, { recursive: true, force: true });
    },
  };
  return stack;
}

type RedisClient = CodyServer['context']['transport']['redis'];

/** Removes this suite's keys (its own prefix, so SCAN is fine here). */
async function deleteKeys(redis: RedisClient, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
