// Persistence benchmark: real Redis, real RedisStore, persistence workers as child processes
// (src/bin/worker.ts), events published with @cody/redis. Prints figures; asserts nothing.
//   pnpm bench            (REDIS_URL, default redis://127.0.0.1:6379)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createStreamEvent, RedisTransport } from '@cody/redis';
import type { StreamEvent, StreamPayload } from '@cody/schema';
import { RedisStore } from '@cody/store';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const prefix = `bench:persistence:${randomUUID().slice(0, 8)}:`;
const root = fileURLToPath(new URL('..', import.meta.url));

interface Worker {
  child: ChildProcess;
  pid: number;
  persisted: Map<string, { lagMs: number; writes: number; at: number }>;
  peakRssMb: number;
}

const transport = new RedisTransport({ url: REDIS_URL, prefix, name: 'bench' });
const store = new RedisStore({ redis: transport.redis, prefix });
const runIds: string[] = [];

function spawnWorker(): Promise<Worker> {
  const child = spawn(
    process.execPath,
    ['--conditions=@cody/source', '--import', 'tsx', 'src/bin/worker.ts'],
    {
      cwd: root,
      env: {
        ...process.env,
        REDIS_URL,
        CODY_REDIS_PREFIX: prefix,
        LOG_LEVEL: 'info',
        CODY_RUN_TTL_SECONDS: '300',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const worker: Worker = { child, pid: child.pid as number, persisted: new Map(), peakRssMb: 0 };
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        let record: Record<string, unknown>;
        try {
          record = JSON.parse(line);
        } catch {
          continue;
        }
        if (record.msg === 'cody worker ready') resolve(worker);
        if (record.msg === 'run persisted') {
          worker.persisted.set(String(record.run_id), {
            lagMs: Number(record.lag_ms),
            writes: Number(record.writes),
            at: Number(record.time),
          });
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

function sampleRss(workers: Worker[]): void {
  for (const worker of workers) {
    try {
      const status = readFileSync(`/proc/${worker.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      worker.peakRssMb = Math.max(worker.peakRssMb, kb / 1024);
    } catch {
      // not Linux, or exited
    }
  }
}

/** Redis connections per process, from CLIENT LIST names (`<name>:<role>:<pid>`). */
async function connectionsPerProcess(pids: number[]): Promise<Record<number, number>> {
  const list = (await transport.redis.client('LIST')) as string;
  const counts: Record<number, number> = {};
  for (const pid of pids) counts[pid] = 0;
  for (const line of list.split('\n')) {
    const name = / name=(\S*)/.exec(line)?.[1] ?? '';
    for (const pid of pids) if (name.endsWith(`:${pid}`)) counts[pid] = (counts[pid] ?? 0) + 1;
  }
  return counts;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

class BenchRun {
  readonly runId = randomUUID();
  readonly itemId = randomUUID();
  events = 0;
  startedAt = 0;

  constructor(readonly threadId: string) {
    runIds.push(this.runId);
  }

  private async emit(payload: StreamPayload): Promise<void> {
    await transport.publish(createStreamEvent(this.runId, payload) as StreamEvent);
    this.events++;
  }

  async open(): Promise<void> {
    this.startedAt = Date.now();
    const owner = `bench-${this.runId.slice(0, 8)}`;
    await transport.leases.acquire(this.runId, owner, 30_000);
    await this.emit({
      type: 'response_start',
      response_id: this.runId,
      turn_id: randomUUID(),
      thread_id: this.threadId,
      model_id: 'bench',
      provider_id: 'openai',
      created_at: Date.now(),
    });
    await transport.announceRun(this.runId);
    await this.emit({ type: 'item_start', item_id: this.itemId, item_type: 'message', origin: 'agent' });
  }

  delta(i: number): Promise<void> {
    return this.emit({ type: 'item_delta', item_id: this.itemId, delta_content: `token ${i} ` });
  }

  async close(deltas: number): Promise<void> {
    const content = Array.from({ length: deltas }, (_, i) => `token ${i} `).join('');
    await this.emit({
      type: 'item_done',
      item_id: this.itemId,
      final_item: { id: this.itemId, type: 'message', origin: 'agent', content },
    });
    await this.emit({
      type: 'response_done',
      response_id: this.runId,
      status: 'complete',
      finish_reason: 'stop',
    });
    await transport.leases.release(this.runId, `bench-${this.runId.slice(0, 8)}`);
  }
}

async function waitPersisted(workers: Worker[], runs: BenchRun[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    sampleRss(workers);
    const done = runs.filter((run) => workers.some((worker) => worker.persisted.has(run.runId))).length;
    if (done === runs.length || Date.now() > deadline) return done;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function report(
  title: string,
  workers: Worker[],
  runs: BenchRun[],
  publishStart: number,
  publishEnd: number,
) {
  const records = runs
    .map((run) =>
      workers.map((worker) => worker.persisted.get(run.runId)).find((record) => record !== undefined),
    )
    .filter((record) => record !== undefined);
  const events = runs.reduce((sum, run) => sum + run.events, 0);
  const lastStored = Math.max(...records.map((record) => record.at));
  const lags = records.map((record) => record.lagMs);
  const writesPerRunPerSecond = runs.map((run) => {
    const record = workers.map((worker) => worker.persisted.get(run.runId)).find((r) => r !== undefined);
    return record ? record.writes / Math.max(0.001, (record.at - run.startedAt) / 1000) : 0;
  });
  console.log(`\n## ${title}`);
  console.log(`runs persisted            ${records.length}/${runs.length}`);
  console.log(
    `events published          ${events} in ${((publishEnd - publishStart) / 1000).toFixed(2)} s (${Math.round(events / ((publishEnd - publishStart) / 1000))} ev/s)`,
  );
  console.log(
    `publish → all persisted   ${Math.round(events / ((lastStored - publishStart) / 1000))} ev/s (last snapshot ${((lastStored - publishStart) / 1000).toFixed(2)} s after the first publish)`,
  );
  console.log(
    `terminal → stored lag     p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms, max ${Math.max(...lags)} ms`,
  );
  console.log(
    `store writes per run      avg ${(records.reduce((s, r) => s + r.writes, 0) / records.length).toFixed(1)}, max ${Math.max(...records.map((r) => r.writes))}`,
  );
  console.log(
    `writes per run per second avg ${(writesPerRunPerSecond.reduce((a, b) => a + b, 0) / runs.length).toFixed(2)}, max ${Math.max(...writesPerRunPerSecond).toFixed(2)}`,
  );
  console.log(
    `worker peak RSS           ${workers.map((worker) => `${worker.peakRssMb.toFixed(0)} MB`).join(', ')}`,
  );
}

async function flatOut(workers: Worker[], threadId: string, runCount: number, deltas: number) {
  const runs = Array.from({ length: runCount }, () => new BenchRun(threadId));
  const start = Date.now();
  await Promise.all(
    runs.map(async (run) => {
      await run.open();
      for (let i = 0; i < deltas; i++) await run.delta(i);
      await run.close(deltas);
    }),
  );
  const end = Date.now();
  await waitPersisted(workers, runs, 60_000);
  report(`flat out: ${runCount} runs × ${deltas} deltas`, workers, runs, start, end);
}

async function realistic(
  workers: Worker[],
  threadId: string,
  runCount: number,
  eventsPerSecond: number,
  seconds: number,
) {
  const runs = Array.from({ length: runCount }, () => new BenchRun(threadId));
  const start = Date.now();
  const perTick = eventsPerSecond / 20;
  const connections: Record<number, number>[] = [];
  await Promise.all(
    runs.map(async (run, index) => {
      // starts spread over the first second, like arriving requests
      await new Promise((resolve) => setTimeout(resolve, (index / runCount) * 1000));
      await run.open();
      const total = eventsPerSecond * seconds;
      let sent = 0;
      const t0 = Date.now();
      while (sent < total) {
        const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * eventsPerSecond) + perTick);
        const burst: Promise<void>[] = [];
        for (; sent < due; sent++) burst.push(run.delta(sent));
        await Promise.all(burst);
        if (index === 0 && connections.length < 3)
          connections.push(await connectionsPerProcess(workers.map((w) => w.pid)));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await run.close(total);
    }),
  );
  const end = Date.now();
  await waitPersisted(workers, runs, 60_000);
  report(
    `realistic: ${runCount} runs × ${eventsPerSecond} events/s for ${seconds} s`,
    workers,
    runs,
    start,
    end,
  );
  const peak: Record<number, number> = {};
  for (const sample of connections)
    for (const [pid, count] of Object.entries(sample))
      peak[Number(pid)] = Math.max(peak[Number(pid)] ?? 0, count);
  console.log(
    `redis connections/process ${Object.entries(peak)
      .map(([pid, count]) => `worker ${pid}: ${count}`)
      .join(', ')} (CLIENT LIST during the load)`,
  );
}

async function main() {
  const began = Date.now();
  console.log(`persistence bench: ${WORKERS} worker processes, Redis ${REDIS_URL}, prefix ${prefix}`);
  const workers = await Promise.all(Array.from({ length: WORKERS }, () => spawnWorker()));
  const thread = await store.createThread({ title: 'bench' });
  const sampler = setInterval(() => sampleRss(workers), 200);
  try {
    await flatOut(workers, thread.id, 100, 500);
    await realistic(workers, thread.id, 200, 100, 5);
    const own = await connectionsPerProcess([process.pid]);
    console.log(`bench process connections ${own[process.pid]} (publisher + store)`);
  } finally {
    clearInterval(sampler);
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.child.once('exit', resolve))));
    await store.deleteThread(thread.id);
    const keys = transport.keys;
    const all = [keys.announce, ...runIds.flatMap((id) => [...keys.runExpiring(id), keys.runLease(id)])];
    for (let i = 0; i < all.length; i += 500) await transport.redis.del(...all.slice(i, i + 500));
    await transport.close();
  }
  console.log(`\ntotal bench time ${((Date.now() - began) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
