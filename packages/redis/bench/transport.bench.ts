// Transport benchmark against a real Redis: validated publish throughput, and live fan-out of
// many tail readers over one multiplexed connection. Prints figures; asserts nothing.
//   pnpm bench            (REDIS_URL, default redis://127.0.0.1:6379)
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { StreamPayload } from '@cody/schema';
import { createStreamEvent, RedisTransport } from '../src/index';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bench:transport:${randomUUID().slice(0, 8)}:`;
const transport = new RedisTransport({ url: REDIS_URL, prefix, name: 'bench' });
const runIds: string[] = [];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function delta(runId: string, itemId: string, i: number) {
  const payload: StreamPayload = { type: 'item_delta', item_id: itemId, delta_content: `token ${i} ` };
  return createStreamEvent(runId, payload);
}

async function publishThroughput(runs: number, perRun: number): Promise<void> {
  const ids = Array.from({ length: runs }, () => randomUUID());
  runIds.push(...ids);
  const itemId = randomUUID();
  const start = performance.now();
  await Promise.all(
    ids.map(async (runId) => {
      for (let i = 0; i < perRun; i++) await transport.publish(delta(runId, itemId, i));
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  console.log(`\n## publish (validate + XADD), ${runs} concurrent publishers × ${perRun}`);
  console.log(
    `events/s                  ${Math.round((runs * perRun) / seconds)} (${runs * perRun} in ${seconds.toFixed(2)} s)`,
  );
}

async function fanOut(
  runs: number,
  readersPerRun: number,
  events: number,
  intervalMs: number,
): Promise<void> {
  const ids = Array.from({ length: runs }, () => randomUUID());
  runIds.push(...ids);
  const itemId = randomUUID();
  const latencies: number[] = [];
  const controller = new AbortController();
  // every reader listens on the one signal
  setMaxListeners(0, controller.signal);
  let received = 0;
  const readers = ids.flatMap((runId) =>
    Array.from({ length: readersPerRun }, async () => {
      for await (const entry of transport.tail(runId, '0-0', controller.signal)) {
        latencies.push(Date.now() - entry.event.timestamp);
        if (++received === runs * readersPerRun * events) controller.abort();
      }
    }),
  );
  const start = performance.now();
  let connectionsDuringLoad = 0;
  await Promise.all(
    ids.map(async (runId, index) => {
      for (let i = 0; i < events; i++) {
        await transport.publish(delta(runId, itemId, i));
        if (index === 0 && i === Math.floor(events / 2)) {
          const list = (await transport.redis.client('LIST')) as string;
          connectionsDuringLoad = list.split('\n').filter((line) => line.includes(`:${process.pid} `)).length;
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    }),
  );
  await Promise.race([Promise.all(readers), new Promise((resolve) => setTimeout(resolve, 30_000))]);
  controller.abort();
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `\n## tail fan-out: ${runs} runs × ${readersPerRun} readers, ${events} events per run every ${intervalMs} ms`,
  );
  console.log(
    `deliveries                ${received}/${runs * readersPerRun * events} in ${seconds.toFixed(2)} s (${Math.round(received / seconds)}/s)`,
  );
  console.log(
    `publish → reader latency  p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`,
  );
  console.log(`tailer                    ${JSON.stringify(transport.tailer.stats())}`);
  console.log(
    `redis connections         ${connectionsDuringLoad} for this process (command + tail), ${runs * readersPerRun} readers`,
  );
}

async function main(): Promise<void> {
  const began = Date.now();
  console.log(`transport bench: Redis ${REDIS_URL}, prefix ${prefix}`);
  try {
    await publishThroughput(50, 400);
    await fanOut(100, 10, 100, 20);
  } finally {
    const keys = runIds.map((runId) => transport.keys.runEvents(runId));
    for (let i = 0; i < keys.length; i += 500) await transport.redis.del(...keys.slice(i, i + 500));
    await transport.close();
  }
  console.log(`\ntotal bench time ${((Date.now() - began) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
