// End-to-end benchmark: 200 runs at once through the real server (a child process, workers
// in-process, real Redis) with one SSE reader per run, against a baseline of the same test LLM
// read straight through the adapter (createProvider + streamTurn), without Redis, workers or
// store. The test LLM runs in its own process behind a TCP tap that stamps each text delta as it
// leaves the model (see e2e-llm-process.ts); readers stamp its receipt. Prints figures; asserts
// nothing. Run: pnpm --filter @cody/server bench   (BENCH_RUNS, BENCH_PACED_DELTAS, BENCH_PACED_DELAY_MS,
// BENCH_FAST_DELTAS, REDIS_URL change the defaults; BENCH_SERVER_NODE_ARGS, e.g.
// `--cpu-prof --cpu-prof-dir=/tmp/prof`, are given to the server's node).
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createProvider, resolveModel } from '@cody/adapters';
import { createParser } from 'eventsource-parser';
import { Redis } from 'ioredis';
import {
  benchServerEnv,
  cpuMs,
  type ServerProcess,
  startLlmProcess,
  startPeerProcess,
  startServer,
  withChildren,
} from './bench-processes';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const PACED_DELTAS = Number(process.env.BENCH_PACED_DELTAS ?? 600);
/** The paced phases' delay between deltas (10 ms: ≤100 events/s per run; 50 ms for the 1000-run scaling point). */
const PACED_DELAY_MS = Number(process.env.BENCH_PACED_DELAY_MS ?? 10);
const FAST_DELTAS = Number(process.env.BENCH_FAST_DELTAS ?? 400);
/** Server processes of the multi-process phases (1: leave them out); default one per core. */
const MULTI_PROCESSES = Number(process.env.BENCH_SERVER_PROCESSES ?? availableParallelism());
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MARKER = /~[a-z]+\.\d+\.\d+~/;
const TERMINAL = new Set(['response_done', 'response_error', 'turn_aborted_by_user']);
const now = () => performance.timeOrigin + performance.now();

interface PhaseResult {
  label: string;
  runs: number;
  events: number;
  deltas: number;
  wallMs: number;
  /** marker → receipt time */
  receipts: Map<string, number>;
  latencies: number[];
  missing: number;
  snapshotLagMs: number[];
  cpu: Record<string, number>;
  rssMb: Record<string, number>;
  redisConnections: Record<string, number>;
  failures: string[];
}

// ---------------------------------------------------------------- processes and sampling

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);

function llmStamps(child: ChildProcess, phase: string): Promise<Map<string, number>> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string; phase: string; stamps: [string, number][] }) => {
      if (message.type !== 'stamps' || message.phase !== phase) return;
      child.off('message', onMessage);
      resolve(new Map(message.stamps));
    };
    child.on('message', onMessage);
    child.send({ type: 'stamps', phase });
  });
}

// ---------------------------------------------------------------- readers

const agent = new Agent({ keepAlive: true, maxSockets: RUNS * 2 });

function post(baseUrl: string, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = httpRequest(
      `${baseUrl}${path}`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.once('error', reject);
    req.end(payload);
  });
}

function get(baseUrl: string, path: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    httpRequest(`${baseUrl}${path}`, { agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }),
      );
    })
      .once('error', reject)
      .end();
  });
}

/** One SSE reader: stamps every chunk's arrival, parses the events, ends after the terminal one. */
function readRun(
  baseUrl: string,
  runId: string,
  receipts: Map<string, number>,
): Promise<{ events: number; deltas: number }> {
  return new Promise((resolve, reject) => {
    let events = 0;
    let deltas = 0;
    let at = 0;
    const parser = createParser({
      onEvent(event) {
        if (event.event === 'heartbeat') return;
        events++;
        const data = JSON.parse(event.data) as { type: string; payload: { delta_content?: string } };
        if (data.type === 'item_delta') {
          deltas++;
          const marker = MARKER.exec(data.payload.delta_content ?? '')?.[0];
          if (marker) receipts.set(marker, at);
        }
        if (TERMINAL.has(data.type)) resolve({ events, deltas });
      },
    });
    const req = httpRequest(
      `${baseUrl}/api/v2/stream/${runId}`,
      { agent: false, headers: { accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`stream ${runId}: ${res.statusCode}`));
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          at = now();
          parser.feed(chunk);
        });
        res.on('end', () => resolve({ events, deltas }));
        res.on('error', reject);
      },
    );
    req.once('error', reject);
    req.end();
  });
}

/** Runs `task` for 0..count-1 with at most `limit` at a time. */
async function pool(count: number, limit: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

// ---------------------------------------------------------------- phases

interface Sampled {
  /** name → the processes summed under it (the server's: its supervisor and server processes) */
  pids: Record<string, number[]>;
  redis: Redis;
  serverPids: number[];
}

const sum = (pids: number[], of: (pid: number) => number) => pids.reduce((total, pid) => total + of(pid), 0);

async function measured(
  label: string,
  sampled: Sampled,
  body: (result: PhaseResult) => Promise<void>,
): Promise<PhaseResult> {
  const result: PhaseResult = {
    label,
    runs: RUNS,
    events: 0,
    deltas: 0,
    wallMs: 0,
    receipts: new Map(),
    latencies: [],
    missing: 0,
    snapshotLagMs: [],
    cpu: {},
    rssMb: {},
    redisConnections: {},
    failures: [],
  };
  const cpuBefore = Object.fromEntries(
    Object.entries(sampled.pids).map(([name, pids]) => [name, sum(pids, cpuMs)]),
  );
  const benchCpuBefore = process.cpuUsage();
  const peakRss: Record<string, number> = {};
  const peakConnections: Record<string, number> = {};
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const [name, pids] of Object.entries(sampled.pids))
        peakRss[name] = Math.max(peakRss[name] ?? 0, sum(pids, rssMb));
      peakRss.bench = Math.max(peakRss.bench ?? 0, process.memoryUsage().rss / 1024 / 1024);
      const list = ((await sampled.redis.client('LIST')) as string).split('\n');
      const server = list.filter((line) =>
        sampled.serverPids.includes(Number(/ name=cody-server:\S*:(\d+) /.exec(line)?.[1])),
      ).length;
      const bench = list.filter((line) => / name=bench-e2e /.test(line)).length;
      peakConnections.server = Math.max(peakConnections.server ?? 0, server);
      peakConnections.bench = Math.max(peakConnections.bench ?? 0, bench);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  const started = now();
  await body(result);
  result.wallMs = now() - started;
  sampling = false;
  await sampler;
  for (const [name, pids] of Object.entries(sampled.pids))
    result.cpu[name] = ((sum(pids, cpuMs) - (cpuBefore[name] ?? 0)) / result.wallMs) * 100;
  const benchCpu = process.cpuUsage(benchCpuBefore);
  result.cpu.bench = ((benchCpu.user + benchCpu.system) / 1000 / result.wallMs) * 100;
  result.rssMb = peakRss;
  result.redisConnections = peakConnections;
  return result;
}

function latencies(result: PhaseResult, stamps: Map<string, number>): void {
  for (const [marker, sent] of stamps) {
    const received = result.receipts.get(marker);
    if (received === undefined) result.missing++;
    else result.latencies.push(received - sent);
  }
  result.latencies.sort((a, b) => a - b);
}

async function baselinePhase(
  label: string,
  phase: string,
  deltas: number,
  delayMs: number,
  llm: ChildProcess,
  tapUrl: string,
  sampled: Sampled,
) {
  const provider = createProvider(
    'openai',
    { OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: `${tapUrl}/v1` },
    { maxRetries: 0 },
  );
  const model = resolveModel('openai', 'gpt-5-mini');
  const result = await measured(label, sampled, async (r) => {
    await Promise.all(
      Array.from({ length: RUNS }, async (_, run) => {
        const history = [
          {
            id: randomUUID(),
            type: 'message' as const,
            origin: 'user' as const,
            content: `bench ${phase} ${run} ${deltas} ${delayMs}`,
          },
        ];
        try {
          for await (const part of provider.streamTurn({ model, history })) {
            const at = now();
            r.events++;
            if (part.type === 'item_delta') {
              r.deltas++;
              const marker = MARKER.exec(part.delta_content)?.[0];
              if (marker) r.receipts.set(marker, at);
            }
          }
        } catch (error) {
          r.failures.push(String(error));
        }
      }),
    );
  });
  latencies(result, await llmStamps(llm, phase));
  return result;
}

async function e2ePhase(
  label: string,
  phase: string,
  deltas: number,
  delayMs: number,
  llm: ChildProcess,
  /** Cody's server (its snapshots are checked too), or the peer: the same two routes. */
  server: { baseUrl: string; persisted?: Map<string, number> },
  sampled: Sampled,
) {
  const runIds: string[] = [];
  const result = await measured(label, sampled, async (r) => {
    const readers: Promise<void>[] = [];
    await pool(RUNS, 25, async (run) => {
      const reply = await post(server.baseUrl, '/api/v2/submit', {
        prompt: `bench ${phase} ${run} ${deltas} ${delayMs}`,
      });
      if (reply.status !== 202) {
        r.failures.push(`submit ${reply.status}`);
        return;
      }
      const { runId } = reply.json as { runId: string };
      runIds.push(runId);
      readers.push(
        readRun(server.baseUrl, runId, r.receipts).then(
          (read) => {
            r.events += read.events;
            r.deltas += read.deltas;
          },
          (error: unknown) => {
            r.failures.push(String(error));
          },
        ),
      );
    });
    await Promise.all(readers);
  });
  latencies(result, await llmStamps(llm, phase));
  const persisted = server.persisted;
  if (persisted === undefined) return result;
  // the persistence worker logs each run's lag from its terminal event to the stored snapshot
  const deadline = Date.now() + 30_000;
  while (runIds.some((id) => !persisted.has(id)) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  result.snapshotLagMs = runIds
    .flatMap((id) => (persisted.has(id) ? [persisted.get(id) as number] : []))
    .sort((a, b) => a - b);
  let notStored = 0;
  for (const id of runIds) {
    const snapshot = await get(server.baseUrl, `/api/v2/runs/${id}`);
    if ((snapshot.json as { status?: string } | undefined)?.status !== 'complete') notStored++;
  }
  if (notStored > 0) result.failures.push(`${notStored} runs without a complete snapshot`);
  return result;
}

// ---------------------------------------------------------------- report

function table(pairs: [PhaseResult, PhaseResult][]): void {
  const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
  const ratio = (ours: number, base: number) =>
    Number.isFinite(ours) && Number.isFinite(base) && base > 0 ? `${(ours / base).toFixed(2)}×` : '–';
  const rows: [string, (r: PhaseResult) => number, number?, boolean?][] = [
    ['runs at once', (r) => r.runs, 0],
    ['text deltas received', (r) => r.deltas, 0],
    ['events received', (r) => r.events, 0],
    ['wall time (s)', (r) => r.wallMs / 1000, 2, true],
    ['events/s delivered', (r) => (r.events / r.wallMs) * 1000, 0, true],
    ['latency p50 (ms)', (r) => percentile(r.latencies, 50), 2, true],
    ['latency p90 (ms)', (r) => percentile(r.latencies, 90), 2, true],
    ['latency p99 (ms)', (r) => percentile(r.latencies, 99), 2, true],
    ['latency max (ms)', (r) => r.latencies.at(-1) ?? Number.NaN, 1, true],
    ['deltas without receipt', (r) => r.missing, 0],
    ['snapshot lag p50 (ms)', (r) => percentile(r.snapshotLagMs, 50), 0],
    ['snapshot lag p99 (ms)', (r) => percentile(r.snapshotLagMs, 99), 0],
    ['snapshot lag max (ms)', (r) => r.snapshotLagMs.at(-1) ?? Number.NaN, 0],
    ['CPU server process (% of a core)', (r) => r.cpu.server ?? Number.NaN, 0],
    ['CPU redis-server (%)', (r) => r.cpu.redis ?? Number.NaN, 0],
    ['CPU test LLM process (%)', (r) => r.cpu.llm ?? Number.NaN, 0],
    ['CPU bench/readers process (%)', (r) => r.cpu.bench ?? Number.NaN, 0],
    [
      'CPU all processes (%)',
      (r) => Object.values(r.cpu).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0),
      0,
      true,
    ],
    ['RSS server process, peak (MB)', (r) => r.rssMb.server ?? Number.NaN, 0],
    ['RSS bench/readers process, peak (MB)', (r) => r.rssMb.bench ?? Number.NaN, 0],
    ['Redis connections, server process', (r) => r.redisConnections.server ?? Number.NaN, 0],
    ['Redis connections, bench process', (r) => r.redisConnections.bench ?? Number.NaN, 0],
  ];
  // a baseline already shown (the multi-process phases reuse the one-process baselines) is not repeated
  const shown = (index: number) => pairs.findIndex(([base]) => base === pairs[index]?.[0]) < index;
  const header = [
    '',
    ...pairs.flatMap(([base, ours], index) => [...(shown(index) ? [] : [base.label]), ours.label, 'ratio']),
  ];
  const body = rows.map(([name, pick, digits = 1, withRatio]) => [
    name,
    ...pairs.flatMap(([base, ours], index) => {
      const b =
        base.label.includes('baseline') &&
        (name.startsWith('snapshot') || name.includes('server') || name.includes('redis-server'))
          ? Number.NaN
          : pick(base);
      const o = pick(ours);
      return [...(shown(index) ? [] : [fmt(b, digits)]), fmt(o, digits), withRatio ? ratio(o, b) : ''];
    }),
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...body].map((row) => String(row[column]).length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number),
      )
      .join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
}

// ---------------------------------------------------------------- main

const benchStarted = Date.now();
const prefix = `bench:e2e:${randomUUID().slice(0, 8)}:`;
const workspace = mkdtempSync(join(tmpdir(), 'cody-bench-'));
const redis = new Redis(REDIS_URL, { connectionName: 'bench-e2e' });
const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
const llm = await startLlmProcess();
let server: ServerProcess | undefined;
const serverEnv = await benchServerEnv({
  redisUrl: REDIS_URL,
  prefix,
  workspace,
  tapUrl: llm.tapUrl,
  logLevel: 'info',
});
/** Samples the server's processes (one, or a supervisor and its server processes). */
const sampledFor = (started: ServerProcess): Sampled => {
  const serverPids = withChildren(started.child.pid as number);
  return {
    pids: {
      server: serverPids,
      llm: [llm.child.pid as number],
      ...(redisPid ? { redis: [redisPid] } : {}),
    },
    redis,
    serverPids,
  };
};
const stopServer = async () => {
  if (server && server.child.exitCode === null) {
    const exited = new Promise((resolve) => server?.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await exited;
  }
};
try {
  server = await startServer({ ...serverEnv, CODY_SERVER_PROCESSES: '1' });
  let sampled = sampledFor(server);
  const runtime = process.versions.bun ? `Bun ${process.versions.bun}` : `Node ${process.version}`;
  console.log(
    `Cody e2e bench: ${RUNS} runs at once, one SSE reader each; paced = ${PACED_DELTAS} deltas at delayMs ${PACED_DELAY_MS} (≤${Math.round(1000 / PACED_DELAY_MS)} events/s per run), fast = ${FAST_DELTAS} deltas, no delay.\n` +
      `Latency: from the test LLM writing a delta (TCP tap stamp, own process) to the reader receiving it. ${runtime}, Redis ${/redis_version:(\S+)/.exec(await redis.info('server'))?.[1]}.\n` +
      `"resumable-stream": the AI SDK's resumable-stream (pub/sub, chunks in the producer's memory, nothing persisted) fed by the same adapter and model, read after submit as Cody is.\n` +
      `"×${MULTI_PROCESSES} processes": the same phases against CODY_SERVER_PROCESSES=${MULTI_PROCESSES} (the server npm start runs on this box), beside the same baselines.\n`,
  );

  // a short warm-up: connections, JIT, consumer groups
  await e2ePhase('warm-up', 'warm', 20, 0, llm.child, server, sampled);
  const pacedBase = await baselinePhase(
    'baseline paced',
    'pacedbase',
    PACED_DELTAS,
    PACED_DELAY_MS,
    llm.child,
    llm.tapUrl,
    sampled,
  );
  const pacedOurs = await e2ePhase(
    'cody paced',
    'pacedcody',
    PACED_DELTAS,
    PACED_DELAY_MS,
    llm.child,
    server,
    sampled,
  );
  const fastBase = await baselinePhase(
    'baseline fast',
    'fastbase',
    FAST_DELTAS,
    0,
    llm.child,
    llm.tapUrl,
    sampled,
  );
  const fastOurs = await e2ePhase('cody fast', 'fastcody', FAST_DELTAS, 0, llm.child, server, sampled);
  const pairs: [PhaseResult, PhaseResult][] = [
    [pacedBase, pacedOurs],
    [fastBase, fastOurs],
  ];
  // the one-process server leaves first: its in-process workers would share the groups
  await stopServer();
  const peer = await startPeerProcess({ redisUrl: REDIS_URL, tapUrl: llm.tapUrl, prefix: `${prefix}peer` });
  const peerSampled: Sampled = { ...sampled, pids: { ...sampled.pids, server: [peer.child.pid as number] } };
  const pacedPeer = await e2ePhase(
    'resumable-stream paced',
    'pacedpeer',
    PACED_DELTAS,
    PACED_DELAY_MS,
    llm.child,
    peer,
    peerSampled,
  );
  const fastPeer = await e2ePhase(
    'resumable-stream fast',
    'fastpeer',
    FAST_DELTAS,
    0,
    llm.child,
    peer,
    peerSampled,
  );
  peer.child.send({ type: 'stop' });
  await new Promise((resolve) => peer.child.once('exit', resolve));
  pairs.push([pacedBase, pacedPeer], [fastBase, fastPeer]);
  if (MULTI_PROCESSES > 1) {
    server = await startServer({ ...serverEnv, CODY_SERVER_PROCESSES: String(MULTI_PROCESSES) });
    sampled = sampledFor(server);
    await e2ePhase('warm-up', 'warmmulti', 20, 0, llm.child, server, sampled);
    const multi = `×${MULTI_PROCESSES} processes`;
    const pacedMulti = await e2ePhase(
      `paced ${multi}`,
      'pacedmulti',
      PACED_DELTAS,
      PACED_DELAY_MS,
      llm.child,
      server,
      sampled,
    );
    const fastMulti = await e2ePhase(
      `fast ${multi}`,
      'fastmulti',
      FAST_DELTAS,
      0,
      llm.child,
      server,
      sampled,
    );
    pairs.push([pacedBase, pacedMulti], [fastBase, fastMulti]);
  }
  table(pairs);
  const rate = (r: PhaseResult) => r.events / r.wallMs;
  const p = (r: PhaseResult, q: number) => percentile(r.latencies, q);
  console.log(
    `\ncody / resumable-stream, events/s: paced ${(rate(pacedOurs) / rate(pacedPeer)).toFixed(2)}×, fast ${(rate(fastOurs) / rate(fastPeer)).toFixed(2)}×;` +
      ` latency p50/p99 paced ${p(pacedOurs, 50).toFixed(1)}/${p(pacedOurs, 99).toFixed(1)} ms vs ${p(pacedPeer, 50).toFixed(1)}/${p(pacedPeer, 99).toFixed(1)} ms`,
  );
  for (const result of pairs.flat()) {
    if (result.failures.length > 0)
      console.log(`${result.label}: ${result.failures.length} failures, e.g. ${result.failures[0]}`);
  }
  console.log(`\nbench took ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`);
} finally {
  await stopServer();
  llm.child.send({ type: 'stop' });
  await new Promise((resolve) => llm.child.once('exit', resolve));
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  agent.destroy();
  rmSync(workspace, { recursive: true, force: true });
}
