// Crowd bench: what a crowd of SSE viewers on one live run costs its producer. The real server
// (child process, workers in-process, default SSE caps) drives one paced run (BENCH_CROWD_DELTAS
// deltas, 10 ms apart) while N viewers join it at once; the producer's span is read from Redis
// (first to terminal entry id, i.e. the server's own XADD clock), so the readers' CPU here does
// not blur it. Prints figures; asserts nothing.
// Run: pnpm --filter @cody/server bench:crowd   (BENCH_CROWDS=1,100,500,2000, BENCH_CROWD_DELTAS=400)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRedisKeys } from '@cody/redis';
import { Redis } from 'ioredis';
import { benchServerEnv, cpuMs, type ServerProcess, startLlmProcess, startServer } from './bench-processes';

const CROWDS = (process.env.BENCH_CROWDS ?? '1,100,500,2000').split(',').map(Number);
const DELTAS = Number(process.env.BENCH_CROWD_DELTAS ?? 400);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

function submit(baseUrl: string, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}/api/v2/submit`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve((JSON.parse(body) as { runId: string }).runId));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ prompt }));
  });
}

/** One viewer: 200 and read to the end, or the refusal's status. */
function view(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function timedHealth(baseUrl: string): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    get(`${baseUrl}/health`, { agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve());
    }).on('error', reject);
  });
  return performance.now() - started;
}

const idMs = (id: string) => Number(id.split('-')[0]);
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function crowd(server: ServerProcess, redis: Redis, prefix: string, index: number, viewers: number) {
  const cpuBefore = cpuMs(server.child.pid as number);
  const runId = await submit(server.baseUrl, `bench crowd ${index} ${DELTAS} 10`);
  const url = `${server.baseUrl}/api/v2/stream/${runId}`;
  let done = false;
  const statuses = Promise.all(Array.from({ length: viewers }, () => view(url))).finally(() => {
    done = true;
  });
  const health: number[] = [];
  while (!done) {
    health.push(await timedHealth(server.baseUrl));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const answered = await statuses;
  const entries = (await redis.xrange(createRedisKeys(prefix).runEvents(runId), '-', '+')) as [
    string,
    string[],
  ][];
  const cpu = cpuMs(server.child.pid as number) - cpuBefore;
  const span = idMs(entries.at(-1)?.[0] ?? '0') - idMs(entries[0]?.[0] ?? '0');
  health.sort((a, b) => a - b);
  return {
    viewers,
    served: answered.filter((status) => status === 200).length,
    refused: answered.filter((status) => status === 503).length,
    span,
    cpu,
    healthP50: pct(health, 0.5),
    healthMax: health.at(-1) ?? 0,
  };
}

const prefix = `bench:crowd:${randomUUID().slice(0, 8)}:`;
const workspace = mkdtempSync(join(tmpdir(), 'cody-bench-crowd-'));
const redis = new Redis(REDIS_URL, { connectionName: 'bench-crowd' });
const llm = await startLlmProcess();
let server: ServerProcess | undefined;
try {
  server = await startServer({
    ...(await benchServerEnv({
      redisUrl: REDIS_URL,
      prefix,
      workspace,
      tapUrl: llm.tapUrl,
      logLevel: 'warn',
    })),
    ...(process.env.CODY_SSE_COALESCE_MS ? { CODY_SSE_COALESCE_MS: process.env.CODY_SSE_COALESCE_MS } : {}),
  });
  const keyCheck = await submit(server.baseUrl, `bench warm 0 20 0`);
  await view(`${server.baseUrl}/api/v2/stream/${keyCheck}`);
  console.log(
    `Cody SSE crowd bench: one run of ${DELTAS} deltas 10 ms apart (ideal span ${DELTAS * 10} ms), N viewers joining at once; default caps (1000 per process, 500 per run). Node ${process.version}.\n`,
  );
  const rows = [];
  for (const [index, viewers] of CROWDS.entries())
    rows.push(await crowd(server, redis, prefix, index, viewers));
  const base = rows[0]?.span ?? 1;
  console.log(
    'viewers  served  refused  producer span ms  vs first row  server CPU ms  /health p50 ms  /health max ms',
  );
  console.log(
    '-------  ------  -------  ----------------  ------------  -------------  --------------  --------------',
  );
  for (const row of rows) {
    console.log(
      [
        String(row.viewers).padStart(7),
        String(row.served).padStart(6),
        String(row.refused).padStart(7),
        String(row.span).padStart(16),
        `${(row.span / base).toFixed(2)}×`.padStart(12),
        String(Math.round(row.cpu)).padStart(13),
        row.healthP50.toFixed(1).padStart(14),
        row.healthMax.toFixed(1).padStart(14),
      ].join('  '),
    );
  }
} finally {
  server?.child.kill('SIGTERM');
  llm.child.kill('SIGTERM');
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  rmSync(workspace, { recursive: true, force: true });
}
