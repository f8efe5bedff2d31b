import { availableParallelism } from 'node:os';
import { type RedisTopology, resolveRedisTopology } from '@cody/redis';
import { ApprovalModeSchema, CodyError, formatValidationError } from '@cody/schema';
import { loadTelemetryConfig, type TelemetryConfig } from '@cody/telemetry';
import { loadToolWorkerConfig, type ToolWorkerConfig } from '@cody/workers';
import { z } from 'zod';
import { isLoopbackHost } from './http/is-loopback-host';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const url = (what: string) =>
  optionalText.refine((value) => value === undefined || URL.canParse(value), {
    message: `must be a URL (${what})`,
  });

/** A comma-separated list; blanks dropped. */
const commaList = optionalText.transform((value) =>
  value === undefined
    ? []
    : value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
);

/** `https://app.example:8443`: scheme, host and port only, exactly as a browser sends `Origin`. */
const originList = commaList.superRefine((origins, ctx) => {
  for (const origin of origins) {
    const parsed = URL.canParse(origin) ? new URL(origin) : undefined;
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
      ctx.addIssue({
        code: 'custom',
        message: `"${origin}" is not an origin (scheme://host[:port], no path; "*" is not accepted)`,
      });
    }
  }
});

/** Host names (no scheme, no port): what the `Host` header may name besides the loopback names. */
const hostList = commaList.superRefine((hosts, ctx) => {
  for (const host of hosts) {
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+|[0-9a-f:]+)$/i.test(host)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${host}" is not a host name (give the name only, no scheme or port)`,
      });
    }
  }
});

const perWindow = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Every setting the server reads from the environment (SPEC §10). */
export const ServerConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  HOST: z.string().default('127.0.0.1'),
  /** The single-node Redis; at most one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS. */
  REDIS_URL: optionalText
    // empty counts as unset, as for the other two (REDIS_CLUSTER_NODES may be the one set)
    .transform((value) => value ?? 'redis://127.0.0.1:6379')
    .refine((value) => /^rediss?:\/\//.test(value), { message: 'must start with redis:// or rediss://' }),
  /** `host:port,host:port,…`: run on a Redis Cluster (these are the seed nodes). */
  REDIS_CLUSTER_NODES: optionalText,
  /** `host:port,…` of the sentinels, with REDIS_SENTINEL_NAME the master they watch. */
  REDIS_SENTINELS: optionalText,
  REDIS_SENTINEL_NAME: optionalText,
  CODY_REDIS_PREFIX: z.string().min(1).default('codex:'),
  CONVEX_URL: url('the Convex deployment URL'),
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: url('an OpenAI-compatible API base'),
  ANTHROPIC_API_KEY: optionalText,
  ANTHROPIC_BASE_URL: url('an Anthropic-compatible API base'),
  /**
   * Where the bundled test LLM listens (`npm run demo` sets it): providers whose base URL points
   * there are reported by `GET /config` as `testLlm`, so the UI can say no real model answers.
   */
  CODY_TEST_LLM_URL: url('the test LLM the demo started'),
  CODY_PROVIDER: z.enum(['openai', 'anthropic']).default('openai'),
  CODY_MODEL: z.string().min(1).default('gpt-5-mini'),
  CODY_MODELS: optionalText,
  CODY_WORKSPACE: z.string().default(() => process.cwd()),
  CODY_API_TOKEN: optionalText,
  /** Origins other than the server's own that may call the API from a browser (CORS). */
  CODY_CORS_ORIGINS: originList,
  /** Host names the `Host` header may carry besides loopback and the bind address. */
  CODY_ALLOWED_HOSTS: hostList,
  /** Requests per client (IP) and window to the API as a whole, and to submit on its own. */
  CODY_RATE_LIMIT_API: perWindow(600),
  CODY_RATE_LIMIT_SUBMIT: perWindow(30),
  CODY_RATE_LIMIT_WINDOW_SECONDS: perWindow(60),
  /** `inprocess` runs the persistence and tool workers inside the server; `none` runs API only. */
  CODY_WORKERS: z.enum(['inprocess', 'none']).default('inprocess'),
  /**
   * Server processes sharing the port (node:cluster), each driving the runs submitted to it;
   * `auto` is one per core. `npm start` sets `auto`; 1 runs the server in this process alone.
   */
  CODY_SERVER_PROCESSES: z
    .union([z.literal('auto'), z.coerce.number().int().positive().max(64)])
    .default(1)
    .transform((value) => (value === 'auto' ? availableParallelism() : value)),
  /** How long a finished run's stream stays in Redis after its terminal state is stored. */
  CODY_RUN_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  CODY_MAX_STEPS: z.coerce.number().int().positive().max(100).default(12),
  /** How long a run's driver waits for an unreachable Redis before ending the run REDIS_UNAVAILABLE. */
  CODY_REDIS_OUTAGE_MS: z.coerce.number().int().positive().default(30_000),
  /** How long the watchdog must see a run's lease missing (Redis answering) before RUN_OWNER_LOST. */
  CODY_LEASE_GRACE_MS: z.coerce.number().int().positive().default(6000),
  /** When a run asks the person before a tool call, unless its submit says (`auto`, `ask-mutating`, `ask-all`). */
  CODY_TOOL_APPROVAL: ApprovalModeSchema.default('auto'),
  /** How long a call waits for approval before it is denied (default 10 minutes). */
  CODY_APPROVAL_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600_000)
    .default(600_000),
  CODY_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /**
   * Open SSE streams this process serves at once, and per run; past either a new stream gets
   * 503 SSE_CAPACITY_REACHED with Retry-After. The defaults keep a 2-core box's driver on time.
   */
  CODY_SSE_MAX_CONNECTIONS: z.coerce.number().int().positive().default(1000),
  CODY_SSE_MAX_CONNECTIONS_PER_RUN: z.coerce.number().int().positive().default(500),
  /** A run with more than 16 viewers here has its frames written together every this many ms (0: never). */
  CODY_SSE_COALESCE_MS: z.coerce.number().int().min(0).max(1000).default(20),
  CODY_WEB_DIST: optionalText,
  /** `auto`: readable lines (pino-pretty) on a terminal, JSON otherwise; `pretty` / `json` force one. */
  CODY_LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type ServerConfig = z.infer<typeof ServerConfigSchema> & {
  /**
   * The in-process tool worker's limits, concurrency and attempts, read by @cody/workers from
   * `CODY_TOOL_TIMEOUT_MS`, `CODY_EXEC_TIMEOUT_MS`, `CODY_TOOL_CONCURRENCY`, … (see its README).
   * Absent: the tool defaults.
   */
  tools?: ToolWorkerConfig;
  /** OTEL_*, LANGFUSE_* and CODY_TRACE_CONTENT, read by @cody/telemetry (see its README). */
  telemetry?: TelemetryConfig;
  /** Where Redis is, from REDIS_URL / REDIS_CLUSTER_NODES / REDIS_SENTINELS. Absent: REDIS_URL. */
  redis?: RedisTopology;
};

/** Reads the configuration; a bad value stops start-up with a message naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const result = ServerConfigSchema.safeParse(env);
  if (!result.success) {
    throw new CodyError(
      'CONFIGURATION_ERROR',
      `invalid configuration: ${formatValidationError(result.error)}`,
    );
  }
  if (!isLoopbackHost(result.data.HOST) && !result.data.CODY_API_TOKEN) {
    // anyone who can reach the port could run commands on this machine
    throw new CodyError(
      'CONFIGURATION_ERROR',
      `invalid configuration: HOST=${result.data.HOST} is reachable from the network; set CODY_API_TOKEN ` +
        '(a long random secret) before binding a non-loopback address, or bind HOST=127.0.0.1',
    );
  }
  let tools: ToolWorkerConfig;
  try {
    tools = loadToolWorkerConfig({ ...env, CODY_WORKSPACE: result.data.CODY_WORKSPACE });
  } catch (error) {
    // the tool settings name their variable in the message
    throw new CodyError('CONFIGURATION_ERROR', `invalid configuration: ${(error as Error).message}`);
  }
  let redis: RedisTopology;
  try {
    redis = resolveRedisTopology(env);
  } catch (error) {
    // RedisConfigurationError names its variable in the message
    throw new CodyError('CONFIGURATION_ERROR', `invalid configuration: ${(error as Error).message}`);
  }
  // names its variable in the message, already a CONFIGURATION_ERROR
  const telemetry = loadTelemetryConfig(env);
  return { ...result.data, tools, telemetry, redis };
}
