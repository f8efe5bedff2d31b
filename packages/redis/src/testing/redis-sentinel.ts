import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, poll, probe, spawnRedisServer, terminate } from './processes';

export interface RedisSentinelSetup {
  /** The master name the sentinel watches: `REDIS_SENTINEL_NAME`. */
  readonly name: string;
  /** `host:port` of the sentinel: `REDIS_SENTINELS`. */
  readonly sentinelList: string;
  readonly masterPort: number;
  readonly replicaPort: number;
  /** SIGTERM to every process, then removes the data directory. */
  stop(): Promise<void>;
}

/**
 * One master, one replica and one sentinel watching them, from `redis-server` on free loopback
 * ports (no persistence); resolves once the sentinel reports the master and the replica is in
 * sync. For tests of the Sentinel topology.
 */
export async function startRedisSentinel(
  options: { name?: string; serverBin?: string } = {},
): Promise<RedisSentinelSetup> {
  const name = options.name ?? 'cody-test';
  const bin = options.serverBin ?? 'redis-server';
  const dir = await mkdtemp(join(tmpdir(), 'cody-redis-sentinel-'));
  const processes: ChildProcess[] = [];
  const killOnExit = () => {
    for (const child of processes) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    await Promise.all(processes.map((child) => terminate(child)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [masterPort, replicaPort, sentinelPort] = (await freePorts(3)) as [number, number, number];
    processes.push(spawnRedisServer(bin, masterPort, dir));
    processes.push(spawnRedisServer(bin, replicaPort, dir, ['--replicaof', '127.0.0.1', String(masterPort)]));
    // a sentinel rewrites its configuration file, so it gets one of its own
    const config = join(dir, 'sentinel.conf');
    await writeFile(
      config,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${name} 2000`,
        '',
      ].join('\n'),
    );
    processes.push(spawn(bin, [config, '--sentinel'], { stdio: ['ignore', 'ignore', 'inherit'] }));
    await poll('the replica in sync and the sentinel watching the master', 30_000, async () => {
      const replica = probe(replicaPort);
      const sentinel = probe(sentinelPort);
      try {
        const info = await replica.info('replication');
        const master = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[] | null;
        return /master_link_status:up/.test(info) && master?.[1] === String(masterPort);
      } catch {
        return false;
      } finally {
        replica.disconnect();
        sentinel.disconnect();
      }
    });
    return { name, sentinelList: `127.0.0.1:${sentinelPort}`, masterPort, replicaPort, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
