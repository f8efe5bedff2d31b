// A crowd of viewers on one live run (issue #13): 2,000 SSE clients join a run driven by the
// same process. With the default caps 500 are served and the rest get 503 SSE_CAPACITY_REACHED
// at once; the served ones get the whole stream exactly, the run completes (its lease renewal
// was not starved), and /health answers throughout.
import { Agent, get } from 'node:http';
import { replies } from '@cody/test-llm';
import { createParser } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { agentMessages } from './support-runs';
import { streamEntries, waitFor, waitForTerminalRun } from './support-stream-helpers';

const VIEWERS = 2000;
const PER_RUN_DEFAULT = 500;
const WORDS = Array.from({ length: 400 }, (_, i) => `w${i} `);

// the model streams part of its answer, then waits until every viewer has been answered, so
// the whole crowd meets a live run however slowly this machine accepts 2,000 connections
let everyoneAnswered: () => void = () => {};
const crowdAnswered = new Promise<void>((resolve) => {
  everyoneAnswered = resolve;
});
let stack: Stack;
beforeAll(async () => {
  // the defaults under test: no CODY_SSE_* in the environment
  stack = await startStack({
    rules: [
      {
        match: { marker: 'CROWD' },
        reply: replies.text(WORDS, { delayMs: 10, hold: { afterEvents: 40, until: crowdAnswered } }),
      },
    ],
  });
});
afterAll(() => stack.close());

interface Viewer {
  status: number;
  code?: string;
  retryAfter?: string;
  /** `id` of each entry-carrying message, in arrival order. */
  ids: string[];
}

const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

/** One viewer; `onAnswer` runs once the server answered it (stream opened, or refused). */
function view(url: string, onAnswer: (served: boolean) => void): Promise<Viewer> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
      const viewer: Viewer = { status: res.statusCode ?? 0, ids: [] };
      res.setEncoding('utf8');
      if (viewer.status !== 200) {
        let body = '';
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        onAnswer(false);
        res.on('end', () => {
          viewer.code = (JSON.parse(body) as { error: { code: string } }).error.code;
          viewer.retryAfter = res.headers['retry-after'];
          resolve(viewer);
        });
        return;
      }
      onAnswer(true);
      const parser = createParser({
        onEvent: (event) => {
          if (event.id !== undefined) viewer.ids.push(event.id);
        },
      });
      res.on('data', (chunk: string) => parser.feed(chunk));
      res.on('end', () => resolve(viewer));
      res.on('error', reject);
    });
    request.on('error', reject);
  });
}

describe('2,000 SSE viewers on one live run', () => {
  it('serves the per-run cap exactly, refuses the rest at once, and the run completes', async () => {
    const { runId } = await stack.submit({ prompt: 'CROWD' });
    const url = `${stack.baseUrl}/api/v2/stream/${runId}`;
    let open = 0;
    let answered = 0;
    const viewers = Array.from({ length: VIEWERS }, () =>
      view(url, (served) => {
        if (served) open++;
        if (++answered === VIEWERS) everyoneAnswered();
      }),
    );

    // /health stays answerable while the crowd is served
    const healthLatencies: number[] = [];
    let crowdDone = false;
    const all = Promise.all(viewers).finally(() => {
      crowdDone = true;
    });
    while (!crowdDone) {
      const started = performance.now();
      const health = await stack.api('GET', '/health');
      expect(health.status).toBe(200);
      healthLatencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const results = await all;

    const served = results.filter((v) => v.status === 200);
    const refused = results.filter((v) => v.status !== 200);
    expect(served.length).toBe(PER_RUN_DEFAULT);
    expect(open).toBe(PER_RUN_DEFAULT);
    expect(refused.length).toBe(VIEWERS - PER_RUN_DEFAULT);
    for (const viewer of refused) {
      expect(viewer).toMatchObject({ status: 503, code: 'SSE_CAPACITY_REACHED', retryAfter: '1' });
    }

    // every served viewer saw every entry once, in order
    const truth = (await streamEntries(stack.redis, stack.prefix, runId)).map((entry) => entry.id);
    for (const viewer of served) expect(viewer.ids).toEqual(truth);

    const run = await waitForTerminalRun(stack, runId);
    expect(run.status).toBe('complete');
    expect(agentMessages(run).map((m) => m.content)).toEqual([WORDS.join('')]);
    await waitFor('every slot to be released', () => stack.server?.context.sseCapacity.stats().total === 0);
    const sorted = healthLatencies.sort((x, y) => x - y);
    console.info(
      `crowd: ${served.length} served, ${refused.length} refused; /health during the crowd: ` +
        `${sorted.length} probes, p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} ms, ` +
        `max ${sorted.at(-1)?.toFixed(1)} ms`,
    );
  });
});
