// Bun's native Redis client (`RedisClient` from 'bun') beside ioredis, under Bun, on Cody's hot
// commands: pipelined XADD, EVALSHA, and the XREAD BLOCK wake-up a tail reader waits on. Then
// probes what keeps the transport on ioredis. Prints figures; asserts nothing.
//   pnpm bench:bun-client      (runs on Bun; REDIS_URL, default redis://127.0.0.1:6379)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

type BunRedis = {
  connect(): Promise<void>;
  close(): void;
  send(command: string, args: string[]): Promise<unknown>;
  exists(key: string): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  duplicate(): Promise<BunRedis>;
} & Record<string, unknown>;

const bunGlobal = (globalThis as { Bun?: { version: string } }).Bun;
if (!bunGlobal) {
  console.error('this bench measures Bun’s own Redis client: run it on Bun (pnpm bench:bun-client)');
  process.exit(1);
}
const { RedisClient } = (await import('bun' as string)) as {
  RedisClient: new (url: string, options?: Record<string, unknown>) => BunRedis;
};

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bench:bun-client:${randomUUID().slice(0, 8)}:`;
const EVENTS = 20_000;
const BATCH = 100; // a publisher's burst of deltas
const ROUNDS = 2_000;
// the same field layout the transport writes (a JSON event under one field)
const event = JSON.stringify({ type: 'item_delta', item_id: randomUUID(), delta_content: 'token 42 ' });
const casScript = `local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #last > 0 and last[1][1] ~= ARGV[1] then return false end
return redis.call('XADD', KEYS[1], '*', 'e', ARGV[2])`;

const ioredis = new Redis(REDIS_URL, { lazyConnect: true });
const ioredisReader = new Redis(REDIS_URL, { lazyConnect: true });
await Promise.all([ioredis.connect(), ioredisReader.connect()]);
const native = new RedisClient(REDIS_URL);
const nativeReader = new RedisClient(REDIS_URL);
await Promise.all([native.connect(), nativeReader.connect()]);

function rate(label: string, count: number, ms: number): string {
  return `${label.padEnd(10)} ${String(Math.round((count / ms) * 1000)).padStart(8)} /s`;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function xadd(): Promise<[number, number]> {
  const key = `${prefix}xadd`;
  const io = await timed(async () => {
    for (let i = 0; i < EVENTS; i += BATCH) {
      const pipeline = ioredis.pipeline();
      for (let j = 0; j < BATCH; j++) pipeline.xadd(key, '*', 'e', event);
      await pipeline.exec();
    }
  });
  // Bun pipelines commands sent without awaiting each one (enableAutoPipelining, the default)
  const bun = await timed(async () => {
    for (let i = 0; i < EVENTS; i += BATCH) {
      await Promise.all(Array.from({ length: BATCH }, () => native.send('XADD', [key, '*', 'e', event])));
    }
  });
  await ioredis.del(key);
  return [io, bun];
}

async function evalsha(): Promise<[number, number]> {
  const key = `${prefix}cas`;
  const sha = (await ioredis.script('LOAD', casScript)) as string;
  // the CAS always fails on a stale id: measures the script round trip, not stream growth
  await ioredis.xadd(key, '*', 'e', event);
  const io = await timed(async () => {
    for (let i = 0; i < EVENTS; i += BATCH) {
      const pipeline = ioredis.pipeline();
      for (let j = 0; j < BATCH; j++) pipeline.evalsha(sha, 1, key, '0-1', event);
      await pipeline.exec();
    }
  });
  const bun = await timed(async () => {
    for (let i = 0; i < EVENTS; i += BATCH) {
      await Promise.all(
        Array.from({ length: BATCH }, () => native.send('EVALSHA', [sha, '1', key, '0-1', event])),
      );
    }
  });
  await ioredis.del(key);
  return [io, bun];
}

/** One reader blocked in XREAD BLOCK, one writer: the time from XADD to the reader's reply. */
async function xreadBlock(
  read: (key: string, after: string) => Promise<string>,
  write: (key: string) => Promise<unknown>,
): Promise<number[]> {
  const key = `${prefix}xread:${randomUUID().slice(0, 6)}`;
  const latencies: number[] = [];
  let after = '0-0';
  for (let i = 0; i < ROUNDS; i++) {
    const reply = read(key, after);
    // let the XREAD reach Redis before writing, as a live tail reader is already waiting
    await new Promise((resolve) => setImmediate(resolve));
    const start = performance.now();
    await write(key);
    after = await reply;
    latencies.push(performance.now() - start);
  }
  await ioredis.del(key);
  return latencies.sort((a, b) => a - b);
}

const ioredisXread = (key: string, after: string) =>
  ioredisReader
    .xread('BLOCK', 0, 'STREAMS', key, after)
    .then((reply) => (reply as [string, [string, string[]][]][])[0]?.[1][0]?.[0] as string);
// Bun answers XREAD as an object keyed by stream, not ioredis's (and RESP2's) array of pairs
const nativeXread = (key: string, after: string) =>
  nativeReader
    .send('XREAD', ['BLOCK', '0', 'STREAMS', key, after])
    .then((reply) => (reply as Record<string, [string, string[]][]>)[key]?.[0]?.[0] as string);

const pct = (sorted: number[], p: number) =>
  (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN).toFixed(3);

console.log(
  `# Bun ${bunGlobal.version}: Bun.RedisClient vs ioredis ${(await import('ioredis/package.json', { with: { type: 'json' } })).default.version}`,
);
const [xaddIo, xaddBun] = await xadd();
console.log(`\n## pipelined XADD (${EVENTS} events in bursts of ${BATCH})`);
console.log(rate('ioredis', EVENTS, xaddIo));
console.log(`${rate('Bun', EVENTS, xaddBun)}  (${(xaddIo / xaddBun).toFixed(2)}× ioredis)`);
const [evalIo, evalBun] = await evalsha();
console.log(`\n## pipelined EVALSHA (publish-if-unchanged CAS, ${EVENTS} calls in bursts of ${BATCH})`);
console.log(rate('ioredis', EVENTS, evalIo));
console.log(`${rate('Bun', EVENTS, evalBun)}  (${(evalIo / evalBun).toFixed(2)}× ioredis)`);
const ioLat = await xreadBlock(ioredisXread, (key) => ioredis.xadd(key, '*', 'e', event));
const bunLat = await xreadBlock(nativeXread, (key) => native.send('XADD', [key, '*', 'e', event]));
console.log(`\n## XREAD BLOCK wake-up, XADD → reply (${ROUNDS} rounds), ms`);
console.log(`ioredis    p50 ${pct(ioLat, 50)}  p99 ${pct(ioLat, 99)}`);
console.log(`Bun        p50 ${pct(bunLat, 50)}  p99 ${pct(bunLat, 99)}`);

console.log('\n## what the transport relies on');
console.log(`multi(): ${typeof native.multi}, pipeline(): ${typeof native.pipeline}`);
const missing = `${prefix}missing`;
console.log(
  `EXISTS of a missing key: ioredis ${JSON.stringify(await ioredis.exists(missing))}, Bun ${JSON.stringify(await native.exists(missing))}`,
);
console.log(
  `pub/sub re-subscribe after a Redis restart: ioredis ${await resubscribes('ioredis')}, Bun ${await resubscribes('bun')}`,
);

ioredis.disconnect();
ioredisReader.disconnect();
native.close();
nativeReader.close();

/** Subscribes, restarts a private redis-server on the same port, publishes: does the message arrive? */
async function resubscribes(client: 'ioredis' | 'bun'): Promise<string> {
  const port = await freePort();
  let server = await startRedis(port);
  const url = `redis://127.0.0.1:${port}`;
  let arrived!: () => void;
  const answered = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  // refused connections while Redis is down are expected: the probe only asks what comes after
  const publisher = new Redis(url, { maxRetriesPerRequest: null }).on('error', () => undefined);
  let close: () => void;
  if (client === 'ioredis') {
    const sub = new Redis(url, { maxRetriesPerRequest: null }).on('error', () => undefined);
    await sub.subscribe('probe');
    sub.on('message', () => arrived());
    close = () => sub.disconnect();
  } else {
    const sub = new RedisClient(url, { autoReconnect: true, maxRetries: 50 });
    await sub.connect();
    await sub.subscribe('probe', () => arrived());
    close = () => sub.close();
  }
  server.kill('SIGKILL');
  await once(server, 'exit');
  server = await startRedis(port);
  // give both clients the same chance to reconnect, then publish repeatedly for 5 s
  const deadline = Date.now() + 5_000;
  let result = 'no (nothing arrived within 5 s of the restart)';
  const winner = answered.then(() => {
    result = 'yes';
  });
  while (Date.now() < deadline && result !== 'yes') {
    await publisher.publish('probe', 'hello').catch(() => undefined);
    await Promise.race([winner, new Promise((resolve) => setTimeout(resolve, 200))]);
  }
  close();
  publisher.disconnect();
  server.kill('SIGKILL');
  await once(server, 'exit');
  return result;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number) {
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  let seen = '';
  for await (const chunk of server.stdout) {
    seen += String(chunk);
    if (seen.includes('Ready to accept connections')) break;
  }
  server.stdout.resume();
  return server;
}
