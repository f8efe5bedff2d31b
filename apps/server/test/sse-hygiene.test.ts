// SSE hygiene: 1000 connect/disconnect cycles against live runs. The server's Redis connections
// stay bounded (live readers are multiplexed) and return to baseline, no tail reader or socket
// is left behind, and the heap returns to roughly where it was.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { clientList, readSseStream, waitFor, waitForTerminalRun } from './support-stream-helpers';

const LIVE_RUNS = 8;
const CYCLES = 1000;
const PARALLEL = 20;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    sseHeartbeatMs: 50,
    rules: [
      // long enough to outlive the cycles; cancelled at the end
      {
        match: { marker: 'HYGIENE-LIVE' },
        reply: replies.text(
          Array.from({ length: 3000 }, (_, i) => `t${i} `),
          { delayMs: 20 },
        ),
      },
    ],
  });
});
afterAll(() => stack.close());

/** A full collection: Bun has `Bun.gc(true)`; on Node, V8's `gc()` is exposed for this file. */
function exposedGc(): () => void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun) return () => bun.gc(true);
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const gc = exposedGc();
async function heapUsed(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** This server process's Redis connections (RedisTransport names them `cody-server:<role>:<pid>`). */
const serverConnections = async () =>
  (
    await clientList(
      stack.redis,
      (name) => name.startsWith('cody-server:') && name.endsWith(`:${process.pid}`),
    )
  ).map((c) => c.name);

const tailer = () =>
  stack.server?.context.transport.tailer.stats() ?? { readers: -1, paused: -1, streams: -1, connections: -1 };

/** One client that connects and goes away in one of the ways clients do. */
async function cycle(index: number, runIds: string[], lastIds: Map<string, string>): Promise<void> {
  const runId = runIds[index % runIds.length] as string;
  const style = index % 4;
  if (style === 3) {
    // a raw socket torn down as soon as the first bytes arrive (a closed tab, a dead proxy)
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        `${stack.baseUrl}/api/v2/stream/${runId}`,
        { headers: { accept: 'text/event-stream' } },
        (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
          res.once('error', () => resolve());
        },
      );
      req.once('error', (error) => (req.destroyed ? resolve() : reject(error)));
      req.end();
    });
    return;
  }
  const resume = style === 2 ? lastIds.get(runId) : undefined;
  const messages = await readSseStream(stack.baseUrl, runId, {
    dropAfter: 1 + (index % 5),
    ...(resume ? { lastEventId: resume } : {}),
  });
  const last = messages.filter((m) => m.id !== undefined).at(-1)?.id;
  if (last) lastIds.set(runId, last);
}

describe('SSE hygiene', () => {
  it(`${CYCLES} connect/disconnect cycles against live runs leave no connection, reader or response behind`, async () => {
    // warm up: every lazily opened connection (tailer, cancel subscriber, workers) exists
    const warm = await stack.submit({ prompt: 'warm up' });
    await readSseStream(stack.baseUrl, warm.runId);
    await waitForTerminalRun(stack, warm.runId);
    await waitFor('idle tailer', () => tailer().readers === 0);
    const baseline = await serverConnections();
    // every SSE response the server opens, until it is closed
    const openStreams = new Set<ServerResponse>();
    let streamsServed = 0;
    stack.server?.app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!req.url?.startsWith('/api/v2/stream/')) return;
      streamsServed++;
      openStreams.add(res);
      res.once('close', () => openStreams.delete(res));
    });
    const heapBefore = await heapUsed();
    expect(baseline.length).toBeGreaterThan(0);

    const runIds: string[] = [];
    for (let i = 0; i < LIVE_RUNS; i++)
      runIds.push((await stack.submit({ prompt: `stream forever HYGIENE-LIVE ${i}` })).runId);
    // each live run is followed by the persistence worker through the same multiplexed tailer
    await waitFor('persistence readers', () => tailer().readers === LIVE_RUNS);

    let maxConnections = 0;
    let maxReaders = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxConnections = Math.max(maxConnections, (await serverConnections()).length);
        maxReaders = Math.max(maxReaders, tailer().readers);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    const started = Date.now();
    const lastIds = new Map<string, string>();
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < CYCLES) await cycle(next++, runIds, lastIds);
      }),
    );
    const cyclesMs = Date.now() - started;
    sampling = false;
    await sampler;

    // all runs were live the whole time (the cycles read live streams, not finished ones)
    for (const runId of runIds) {
      expect((await stack.api<{ status: string }>('GET', `/api/v2/runs/${runId}`)).json.status).toBe(
        'in_progress',
      );
    }
    // bounded: however many clients came and went, the same connections served them
    expect(maxConnections).toBe(baseline.length);
    expect(maxReaders).toBeGreaterThan(LIVE_RUNS);
    // back to baseline: only the persistence worker's readers remain, every socket is closed
    await waitFor('SSE readers gone', () => tailer().readers === LIVE_RUNS);
    await waitFor('SSE responses closed', () => openStreams.size === 0);
    expect(streamsServed).toBe(CYCLES);
    expect(tailer().connections).toBe(1);
    expect((await serverConnections()).sort()).toEqual([...baseline].sort());

    for (const runId of runIds) await stack.api('POST', `/api/v2/runs/${runId}/cancel`);
    for (const runId of runIds) expect((await waitForTerminalRun(stack, runId)).status).toBe('aborted');
    await waitFor('no tail readers at all', () => tailer().readers === 0 && tailer().streams === 0);
    expect((await serverConnections()).sort()).toEqual([...baseline].sort());

    const heapAfter = await heapUsed();
    const growthMb = (heapAfter - heapBefore) / 1024 / 1024;
    console.info(
      `[sse-hygiene] ${CYCLES} cycles in ${cyclesMs} ms (${PARALLEL} at a time, ${LIVE_RUNS} live runs); ` +
        `redis connections baseline ${baseline.length}, max ${maxConnections}; tail readers max ${maxReaders}; ` +
        `heap ${(heapBefore / 1024 / 1024).toFixed(1)} MB -> ${(heapAfter / 1024 / 1024).toFixed(1)} MB (${growthMb >= 0 ? '+' : ''}${growthMb.toFixed(1)} MB)`,
    );
    // roughly back: nothing proportional to the 1000 clients is retained
    expect(growthMb).toBeLessThan(25);
  });
});
