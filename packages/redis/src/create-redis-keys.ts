import { RedisConfigurationError } from './errors/redis-configuration-error';

export const DEFAULT_REDIS_PREFIX = 'codex:';

/** Consumer group of the persistence workers on the announce stream. */
export const PROJECTOR_GROUP = 'codex-projector-group';
/** Consumer group of the tool workers on the tool request stream. */
export const TOOL_WORKER_GROUP = 'codex-tool-workers';

/**
 * Every key Cody uses in Redis (docs/architecture.md). A run's keys carry the hash tag
 * `{<runId>}` so one run stays in one Redis Cluster slot and its scripts stay legal there.
 */
export interface RedisKeys {
  readonly prefix: string;
  /** stream: the run's StreamEvents, field `e` = event JSON */
  runEvents(runId: string): string;
  /** string: owner id of the process driving the run, with a short PX */
  runLease(runId: string): string;
  /** string: set once a cancel was requested */
  runCancel(runId: string): string;
  /**
   * hash: call_id → `done` once a tool output was published; also `script:<call_id>` (its script
   * item), `approval:<call_id>` (pending | approved | denied) and `driver:handover` (what an
   * adopting driver needs to continue the run)
   */
  runCalls(runId: string): string;
  /** string: set when the run was deleted (its thread was): nothing may recreate it */
  runDeleted(runId: string): string;
  /** set: ids of the runs started in a thread (found and stopped when the thread is deleted) */
  threadRuns(threadId: string): string;
  /** The keys `expireRun` gives a TTL (the lease expires on its own). */
  runExpiring(runId: string): string[];
  /** stream: one entry per new run (`run` = run id) */
  readonly announce: string;
  /** sorted set: runs a stopping driver handed over (score = when), for another process to adopt */
  readonly handover: string;
  /** stream: one entry per tool call to execute */
  readonly toolRequests: string;
  /** pub/sub channel: a message (the run id) per cancel request */
  readonly cancelChannel: string;
  /** hash: MCP server name → its status and tools as a tool worker sees them (JSON), with a TTL */
  readonly mcpServers: string;
}

/** Builds the key names for a prefix (`CODY_REDIS_PREFIX`, default `codex:`). */
export function createRedisKeys(prefix: string = DEFAULT_REDIS_PREFIX): RedisKeys {
  if (prefix.length === 0) throw new RedisConfigurationError('CODY_REDIS_PREFIX', 'must not be empty');
  // a brace in the prefix would become the hash tag instead of the run id
  if (/[{}\s]/.test(prefix)) {
    throw new RedisConfigurationError(
      'CODY_REDIS_PREFIX',
      `must not contain braces or spaces, got "${prefix}"`,
    );
  }
  const run = (runId: string) => `${prefix}run:{${runId}}`;
  return {
    prefix,
    runEvents: (runId) => `${run(runId)}:events`,
    runLease: (runId) => `${run(runId)}:lease`,
    runCancel: (runId) => `${run(runId)}:cancel`,
    runCalls: (runId) => `${run(runId)}:calls`,
    runDeleted: (runId) => `${run(runId)}:deleted`,
    threadRuns: (threadId) => `${prefix}thread:{${threadId}}:started-runs`,
    runExpiring: (runId) => [`${run(runId)}:events`, `${run(runId)}:cancel`, `${run(runId)}:calls`],
    announce: `${prefix}runs:announce`,
    handover: `${prefix}runs:handover`,
    toolRequests: `${prefix}tools:requests`,
    cancelChannel: `${prefix}cancel`,
    mcpServers: `${prefix}mcp:servers`,
  };
}
