import { randomUUID } from 'node:crypto';
import { RedisTransport } from '@cody/redis';
import { RunBuilder, redisStore, spawnWorker, uniquePrefix, REDIS_URL, type WorkerProcess } from './test/persistence-helpers';
const prefix = uniquePrefix('dbg-crash');
const env = { REDIS_URL, CODY_REDIS_PREFIX: prefix, LOG_LEVEL: 'info', CODY_PERSISTENCE_CLAIM_IDLE_MS: '2000' };
const transport = new RedisTransport({ url: REDIS_URL, prefix });
const store = redisStore(transport.redis, prefix);
const workers = new Set<WorkerProcess>();
const t0 = Date.now();
const log = (...a: unknown[]) => console.log(((Date.now() - t0) / 1000).toFixed(1), ...a);
for (let i = 0; i < 3; i++) workers.add(await spawnWorker(env));
log('spawned');
const thread = await store.createThread({});
let kills = 0;
const runs = new Map<string, string[]>();
const stop = () => kills >= 20;
async function drive() {
  while (!stop()) {
    const run = new RunBuilder(thread.id); const parts: string[] = []; runs.set(run.runId, parts);
    const owner = 'd' + randomUUID(); await transport.leases.acquire(run.runId, owner); const keeper = transport.keepLease(run.runId, owner);
    for (const e of run.opening()) await transport.publish(e);
    await transport.announceRun(run.runId);
    const itemId = randomUUID(); await transport.publish(run.messageStart(itemId));
    const until = Date.now() + 1000 + Math.random() * 3000;
    while (Date.now() < until) { const p = `${parts.length} `; parts.push(p); await transport.publish(run.delta(itemId, p)); await new Promise((r) => setTimeout(r, 10 + Math.random() * 30)); }
    await transport.publish(run.messageDone(itemId, parts.join(''))); await transport.publish(run.done()); await keeper.stop();
  }
}
const drivers = Array.from({ length: 8 }, () => drive());
const status = setInterval(async () => {
  const st = await Promise.all([...runs.keys()].map((id) => store.getRun(id)));
  const c: Record<string, number> = {}; for (const s of st) { const k = s?.response.status ?? 'none'; c[k] = (c[k] ?? 0) + 1; }
  log('kills', kills, 'workers', workers.size, 'runs', runs.size, c);
}, 2000);
while (kills < 20) {
  await new Promise((r) => setTimeout(r, 300 + Math.random() * 500));
  if (workers.size < 2) continue;
  const v = [...workers][Math.floor(Math.random() * workers.size)]!; workers.delete(v); v.child.kill('SIGKILL'); await v.exited; kills++;
  void spawnWorker(env).then((w) => workers.add(w));
}
log('killing done');
await Promise.all(drivers);
log('drivers done');
await new Promise((r) => setTimeout(r, 20000));
clearInterval(status);
for (const w of workers) { console.log(w.logs.filter((l) => l.level !== 'info' || String(l.msg).includes('claimed')).slice(0, 20)); }
for (const w of workers) w.child.kill('SIGKILL');
process.exit(0);
