import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { PROJECTOR_GROUP, RedisTransport } from '@cody/redis';
import { startRedisCluster } from '@cody/redis/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  PACKAGE_ROOT,
  REDIS_URL,
  RunBuilder,
  redisStore,
  reduceStream,
  spawnWorker,
  uniquePrefix,
  waitFor,
} from './persistence-helpers';

const prefix = uniquePrefix('persistence-bin');
const transport = new RedisTransport({ url: REDIS_URL, prefix });
const store = redisStore(transport.redis, prefix);
const threads: string[] = [];
const runs: string[] = [];

afterAll(async () => {
  await cleanup(transport.redis, store, prefix, threads, runs);
  await transport.close();
});

/** Runs the worker entry point with `env` and returns how it exited. */
function runWorker(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@cody/source', '--import', 'tsx', 'src/bin/worker.ts'],
      {
        cwd: PACKAGE_ROOT,
        env: { ...process.env, REDIS_URL, CODY_REDIS_PREFIX: prefix, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

describe('worker entry point', () => {
  it.each([
    ['CODY_RUN_TTL_SECONDS', 'soon'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['CODY_REDIS_PREFIX', 'bad{prefix}'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_CLUSTER_NODES', '127.0.0.1'],
    ['REDIS_SENTINELS', '127.0.0.1:26379'],
  ])('refuses a bad %s with a message naming it', async (variable, value) => {
    const { code, stderr } = await runWorker({ [variable]: value });
    expect(code).toBe(2);
    expect(stderr).toContain(variable);
  });

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together, and a cluster node given as REDIS_URL', async () => {
    const both = await runWorker({ REDIS_CLUSTER_NODES: '127.0.0.1:7000' });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/REDIS_CLUSTER_NODES: set only one of/);
    const cluster = await startRedisCluster({ replicasPerMaster: 0 });
    try {
      const node = cluster.nodes[0] as { host: string; port: number };
      const { code, stderr } = await runWorker({ REDIS_URL: `redis://${node.host}:${node.port}` });
      expect(code).toBe(2);
      expect(stderr).toMatch(/REDIS_URL: .*cluster_enabled:1.*set REDIS_CLUSTER_NODES/);
    } finally {
      await cluster.stop();
    }
  });

  it('stops cleanly on SIGTERM: flushes the snapshot and leaves the unfinished run for another worker', async () => {
    const worker = await spawnWorker({ REDIS_URL, CODY_REDIS_PREFIX: prefix });
    const thread = await store.createThread({});
    threads.push(thread.id);
    const run = new RunBuilder(thread.id);
    runs.push(run.runId);
    const itemId = randomUUID();
    for (const event of run.opening()) await transport.publish(event);
    await transport.announceRun(run.runId);
    await transport.publish(run.messageStart(itemId));
    for (let i = 0; i < 20; i++) await transport.publish(run.delta(itemId, `${i} `));
    await waitFor(async () => (await store.getRun(run.runId)) ?? undefined, 300_000, 'first snapshot');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const stored = await store.getRun(run.runId);
    const reference = await reduceStream(transport, run.runId);
    expect(stored?.response).toEqual(reference.response);
    expect(stored?.lastStreamId).toBe(reference.lastId);
    expect(stored?.response.status).toBe('in_progress');
    const group = transport.consumerGroup({
      stream: transport.keys.announce,
      group: PROJECTOR_GROUP,
      consumer: 'probe',
    });
    expect(await group.pendingCount()).toBe(1);
    expect(worker.logs.map((line) => line.msg)).toContain('persistence worker stopped');
  });
});
