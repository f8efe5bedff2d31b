import { RedisConfigurationError } from './errors/redis-configuration-error';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** Which Redis deployment Cody talks to, and how to reach it. */
export type RedisTopology =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: RedisNodeAddress[] }
  | { kind: 'sentinel'; sentinels: RedisNodeAddress[]; name: string };

/** The environment variables `resolveRedisTopology` reads. */
export interface RedisTopologyEnv {
  REDIS_URL?: string | undefined;
  REDIS_CLUSTER_NODES?: string | undefined;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
}

/**
 * Reads the topology from `REDIS_URL` | `REDIS_CLUSTER_NODES` | `REDIS_SENTINELS` (+
 * `REDIS_SENTINEL_NAME`): at most one may be set; none means the single node at
 * `redis://127.0.0.1:6379`. A bad value throws RedisConfigurationError naming the variable.
 */
export function resolveRedisTopology(env: RedisTopologyEnv = process.env): RedisTopology {
  const url = nonEmpty(env.REDIS_URL);
  const clusterNodes = nonEmpty(env.REDIS_CLUSTER_NODES);
  const sentinels = nonEmpty(env.REDIS_SENTINELS);
  const set = [
    url !== undefined && 'REDIS_URL',
    clusterNodes !== undefined && 'REDIS_CLUSTER_NODES',
    sentinels !== undefined && 'REDIS_SENTINELS',
  ].filter((name): name is string => name !== false);
  if (set.length > 1) {
    throw new RedisConfigurationError(
      set[1] as string,
      `set only one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS (found ${set.join(' and ')})`,
    );
  }
  const sentinelName = nonEmpty(env.REDIS_SENTINEL_NAME);
  if (sentinelName !== undefined && sentinels === undefined) {
    throw new RedisConfigurationError('REDIS_SENTINEL_NAME', 'is set but REDIS_SENTINELS is not');
  }
  if (clusterNodes !== undefined) {
    return { kind: 'cluster', nodes: parseNodeList('REDIS_CLUSTER_NODES', clusterNodes) };
  }
  if (sentinels !== undefined) {
    if (sentinelName === undefined) {
      throw new RedisConfigurationError(
        'REDIS_SENTINEL_NAME',
        'must name the master the sentinels watch when REDIS_SENTINELS is set',
      );
    }
    return {
      kind: 'sentinel',
      sentinels: parseNodeList('REDIS_SENTINELS', sentinels),
      name: sentinelName,
    };
  }
  return { kind: 'single', url: assertRedisUrl(url ?? DEFAULT_REDIS_URL) };
}

/** Throws RedisConfigurationError (REDIS_URL) unless `url` is a redis:// or rediss:// URL. */
export function assertRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisConfigurationError('REDIS_URL', `not a URL: "${url}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisConfigurationError('REDIS_URL', `must start with redis:// or rediss://, got "${url}"`);
  }
  return url;
}

/** `host:port,host:port,…`; IPv6 hosts in brackets (`[::1]:7000`). */
function parseNodeList(variable: string, value: string): RedisNodeAddress[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) {
    throw new RedisConfigurationError(variable, `empty entry in "${value}" (expected host:port,host:port,…)`);
  }
  return items.map((item) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]/]+):(\d{1,5})$/.exec(item);
    const port = Number(match?.[2]);
    if (match === null || port < 1 || port > 65535) {
      throw new RedisConfigurationError(
        variable,
        `"${item}" is not host:port (expected host:port,host:port,…)`,
      );
    }
    const host = (match[1] as string).replace(/^\[(.*)\]$/, '$1');
    return { host, port };
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
