import {
  createRedisKeys,
  DEFAULT_REDIS_PREFIX,
  RedisConfigurationError,
  type RedisTopology,
  resolveRedisTopology,
} from '@cody/redis';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface WorkerConfig {
  /** REDIS_URL / REDIS_CLUSTER_NODES / REDIS_SENTINELS (+ REDIS_SENTINEL_NAME); one at most. */
  redis: RedisTopology;
  prefix: string;
  convexUrl: string | undefined;
  runTtlSeconds: number;
  claimIdleMs: number;
  writeIntervalMs: number;
  liveIntervalMs: number;
  ownerGraceMs: number;
  logLevel: LogLevel;
}

/** A setting that cannot work; the message names the variable. */
export class WorkerConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'WorkerConfigError';
  }
}

/** Reads the standalone worker's settings from the environment. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  let redis: RedisTopology;
  try {
    redis = resolveRedisTopology(env);
  } catch (error) {
    if (!(error instanceof RedisConfigurationError)) throw error;
    const variable = String((error.details as { setting?: string } | undefined)?.setting);
    throw new WorkerConfigError(variable, error.message.replace(`${variable}: `, ''));
  }
  const prefix = env.CODY_REDIS_PREFIX ?? DEFAULT_REDIS_PREFIX;
  try {
    createRedisKeys(prefix);
  } catch (error) {
    throw new WorkerConfigError(
      'CODY_REDIS_PREFIX',
      (error as Error).message.replace(/^CODY_REDIS_PREFIX: /, ''),
    );
  }
  const convexUrl = env.CONVEX_URL || undefined;
  if (convexUrl !== undefined && !/^https?:\/\//.test(convexUrl)) {
    throw new WorkerConfigError('CONVEX_URL', `must be an http(s) URL, got "${convexUrl}"`);
  }
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new WorkerConfigError('LOG_LEVEL', `must be debug, info, warn or error, got "${logLevel}"`);
  }
  return {
    redis,
    prefix,
    convexUrl,
    runTtlSeconds: positiveInteger(env, 'CODY_RUN_TTL_SECONDS', 3600),
    claimIdleMs: positiveInteger(env, 'CODY_PERSISTENCE_CLAIM_IDLE_MS', 5000),
    writeIntervalMs: positiveInteger(env, 'CODY_PERSISTENCE_WRITE_INTERVAL_MS', 250),
    liveIntervalMs: positiveInteger(env, 'CODY_PERSISTENCE_LIVE_INTERVAL_MS', 2000),
    ownerGraceMs: positiveInteger(env, 'CODY_LEASE_GRACE_MS', 6000),
    logLevel,
  };
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new WorkerConfigError(name, `must be a positive integer, got "${raw}"`);
  return value;
}
