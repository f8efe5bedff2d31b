import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, poll, probe, spawnRedisServer, terminate } from './processes';

const run = promisify(execFile);

export interface RedisClusterOptions {
  /** Masters; default 3 (Redis Cluster's minimum). */
  masters?: number;
  /** Replicas per master; default 1. */
  replicasPerMaster?: number;
  /** `redis-server` binary; default `redis-server` on PATH. */
  serverBin?: string;
  /** `redis-cli` binary; default `redis-cli` on PATH. */
  cliBin?: string;
  /** Longest wait for `cluster_state:ok` on every node; default 60 s (only a hang guard). */
  readyTimeoutMs?: number;
}

export interface RedisClusterNode {
  readonly host: string;
  readonly port: number;
  readonly process: ChildProcess;
}

/** A Redis Cluster of real `redis-server` processes on loopback, for tests. */
export interface RedisCluster {
  readonly nodes: readonly RedisClusterNode[];
  /** `host:port,host:port,…`: the value of `REDIS_CLUSTER_NODES`. */
  readonly nodeList: string;
  readonly dir: string;
  /** SIGTERM to every node, then removes the data directory. */
  stop(): Promise<void>;
}

/**
 * Starts `masters × (1 + replicasPerMaster)` cluster-enabled `redis-server`s on free loopback
 * ports (no persistence, data in a temp dir), joins them with `redis-cli --cluster create`, and
 * resolves once every node reports `cluster_state:ok`. The caller stops it.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const serverBin = options.serverBin ?? 'redis-server';
  const cliBin = options.cliBin ?? 'redis-cli';
  const count = masters * (1 + replicas);
  const dir = await mkdtemp(join(tmpdir(), 'cody-redis-cluster-'));
  const nodes: RedisClusterNode[] = [];
  // a test run that dies without its teardown must not leave servers behind
  const killOnExit = () => {
    for (const node of nodes) node.process.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    await Promise.all(nodes.map((node) => terminate(node.process)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // the cluster bus port is given explicitly: the default (port + 10000) may be taken or > 65535
    const ports = await freePorts(count * 2);
    for (let i = 0; i < count; i++) {
      const port = ports[i * 2] as number;
      const busPort = ports[i * 2 + 1] as number;
      nodes.push({
        host: '127.0.0.1',
        port,
        process: spawnRedisServer(serverBin, port, dir, [
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(busPort),
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '2000',
        ]),
      });
    }
    await Promise.all(nodes.map((node) => waitForPing(node)));
    const addresses = nodes.map((node) => `${node.host}:${node.port}`);
    await run(cliBin, [
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    await waitForClusterOk(nodes, options.readyTimeoutMs ?? 60_000);
    return { nodes, nodeList: addresses.join(','), dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForPing(node: RedisClusterNode): Promise<void> {
  await poll(`redis-server on port ${node.port} answers PING`, 30_000, async () => {
    if (node.process.exitCode !== null) throw new Error(`redis-server on port ${node.port} exited`);
    const client = probe(node.port, node.host);
    try {
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  });
}

async function waitForClusterOk(nodes: readonly RedisClusterNode[], timeoutMs: number): Promise<void> {
  await poll('cluster_state:ok on every node', timeoutMs, async () => {
    const states = await Promise.all(
      nodes.map(async (node) => {
        const client = probe(node.port, node.host);
        try {
          return String(await client.call('CLUSTER', 'INFO')).includes('cluster_state:ok');
        } catch {
          return false;
        } finally {
          client.disconnect();
        }
      }),
    );
    return states.every(Boolean);
  });
}
