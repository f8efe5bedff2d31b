import { CodyError, formatValidationError } from '@cody/schema';
import { loadToolWorkerConfig, type ToolWorkerConfig } from '@cody/workers';
import { z } from 'zod';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const url = (what: string) =>
  optionalText.refine((value) => value === undefined || URL.canParse(value), {
    message: `must be a URL (${what})`,
  });

/** Every setting the server reads from the environment (SPEC §10). */
export const ServerConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  HOST: z.string().default('127.0.0.1'),
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((value) => /^rediss?:\/\//.test(value), { message: 'must start with redis:// or rediss://' }),
  CODY_REDIS_PREFIX: z.string().min(1).default('codex:'),
  CONVEX_URL: url('the Convex deployment URL'),
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: url('an OpenAI-compatible API base'),
  ANTHROPIC_API_KEY: optionalText,
  ANTHROPIC_BASE_URL: url('an Anthropic-compatible API base'),
  CODY_PROVIDER: z.enum(['openai', 'anthropic']).default('openai'),
  CODY_MODEL: z.string().min(1).default('gpt-5-mini'),
  CODY_MODELS: optionalText,
  CODY_WORKSPACE: z.string().default(() => process.cwd()),
  CODY_API_TOKEN: optionalText,
  OTEL_EXPORTER_OTLP_ENDPOINT: url('an OTLP/HTTP collector'),
  /** `inprocess` runs the persistence and tool workers inside the server; `none` runs API only. */
  CODY_WORKERS: z.enum(['inprocess', 'none']).default('inprocess'),
  /** How long a finished run's stream stays in Redis after its terminal state is stored. */
  CODY_RUN_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  CODY_MAX_STEPS: z.coerce.number().int().positive().max(100).default(12),
  /** How long a run's driver waits for an unreachable Redis before ending the run REDIS_UNAVAILABLE. */
  CODY_REDIS_OUTAGE_MS: z.coerce.number().int().positive().default(30_000),
  /** How long the watchdog must see a run's lease missing (Redis answering) before RUN_OWNER_LOST. */
  CODY_LEASE_GRACE_MS: z.coerce.number().int().positive().default(6000),
  CODY_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  CODY_WEB_DIST: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type ServerConfig = z.infer<typeof ServerConfigSchema> & {
  /**
   * The in-process tool worker's limits, concurrency and attempts, read by @cody/workers from
   * `CODY_TOOL_TIMEOUT_MS`, `CODY_EXEC_TIMEOUT_MS`, `CODY_TOOL_CONCURRENCY`, … (see its README).
   * Absent: the tool defaults.
   */
  tools?: ToolWorkerConfig;
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
  let tools: ToolWorkerConfig;
  try {
    tools = loadToolWorkerConfig({ ...env, CODY_WORKSPACE: result.data.CODY_WORKSPACE });
  } catch (error) {
    // the tool settings name their variable in the message
    throw new CodyError('CONFIGURATION_ERROR', `invalid configuration: ${(error as Error).message}`);
  }
  return { ...result.data, tools };
}
