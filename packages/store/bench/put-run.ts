// Throughput of RedisStore writes and reads by snapshot size, on the Redis at REDIS_URL.
// Run: pnpm run bench. Prints figures; asserts nothing.
import type { Response } from '@cody/schema';
import { RedisStore } from '../src/index';

const MiB = 1024 * 1024;
const store = new RedisStore({
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: `bench:store:${crypto.randomUUID()}:`,
});

function snapshot(threadId: string, bytes: number): Response {
  const now = Date.now();
  return {
    id: crypto.randomUUID(),
    turn_id: crypto.randomUUID(),
    thread_id: threadId,
    model_id: 'gpt-5-mini',
    provider_id: 'openai',
    created_at: now,
    updated_at: now,
    status: 'in_progress',
    output_items: [
      { id: crypto.randomUUID(), type: 'message', origin: 'agent', content: 'aé漢😀'.repeat(bytes / 10) },
    ],
    finish_reason: null,
  };
}

async function time(label: string, count: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await fn(i);
  const ms = (performance.now() - start) / count;
  console.log(
    `${label.padEnd(34)} ${ms.toFixed(2).padStart(8)} ms/op  ${(1000 / ms).toFixed(1).padStart(8)} op/s`,
  );
}

const thread = await store.createThread({ title: 'bench' });
for (const [label, bytes, count] of [
  ['64 KiB', 64 * 1024, 200],
  ['1 MiB', MiB, 50],
  ['10 MiB', 10 * MiB, 10],
] as const) {
  const response = snapshot(thread.id, bytes);
  await time(`putRun ${label}`, count, (i) => store.putRun({ response, lastStreamId: `${i + 1}-0` }));
  await time(`getRun ${label}`, count, () => store.getRun(response.id));
}

// a run streaming to 4 MiB, written ~every 40 KiB as the persistence worker would
const growing = snapshot(thread.id, 0);
const item = growing.output_items[0] as { content: string };
const steps = 100;
await time('putRun growing to 4 MiB (per write)', steps, (i) => {
  item.content += 'x'.repeat((4 * MiB) / steps);
  return store.putRun({ response: growing, lastStreamId: `${i + 1}-0` });
});

await store.deleteThread(thread.id);
await store.close();
