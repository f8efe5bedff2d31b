import { RedisConfigurationError } from './errors/redis-configuration-error';
import { shardIndex } from './shard-index';

export const DEFAULT_REDIS_PREFIX = 'codex:';

/** Sharded pub/sub channels cancel requests go out on (`<p>cancel:{c<k>}`); fixed, so every process agrees. */
export const CANCEL_CHANNEL_SHARDS = 16;

export interface RedisKeysOptions {
  /**
   * Streams the announce and tool-request streams are split into; 1 (default) keeps one stream
   * each (`<p>runs:announce`, `<p>tools:requests`). On a Redis Cluster several shards
   * (`<p>runs:announce:{a<k>}`, `<p>tools:requests:{t<k>}`, k from the run id) spread them
   * over slots. Every process of a deployment must use the same number.
   */
  streamShards?: number;
}

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
  /** stream: one entry per new run (`run` = run id); the only announce stream when unsharded */
  readonly announce: string;
  /** The announce streams (one per shard); a run is announced on `announceStream(runId)`. */
  readonly announceStreams: readonly string[];
  announceStream(runId: string): string;
  /** sorted set: runs a stopping driver handed over (score = when), for another process to adopt */
  readonly handover: string;
  /** stream: one entry per tool call to execute; the only one when unsharded */
  readonly toolRequests: string;
  /** The tool-request streams (one per shard); a run's calls go to `toolRequestStream(runId)`. */
  readonly toolRequestStreams: readonly string[];
  toolRequestStream(runId: string): string;
  /** pub/sub channel (single node, PUBLISH): a message (the run id) per cancel request */
  readonly cancelChannel: string;
  /** sharded pub/sub channels (cluster, SPUBLISH): a run's cancel goes to `cancelShardChannel(runId)` */
  readonly cancelShardChannels: readonly string[];
  cancelShardChannel(runId: string): string;
  /** hash: MCP server name → its status and tools as a tool worker sees them (JSON), with a TTL */
  readonly mcpServers: string;
}

/** Builds the key names for a prefix (`CODY_REDIS_PREFIX`, default `codex:`). */
export function createRedisKeys(
  prefix: string = DEFAULT_REDIS_PREFIX,
  options: RedisKeysOptions = {},
): RedisKeys {
  if (prefix.length === 0) throw new RedisConfigurationError('CODY_REDIS_PREFIX', 'must not be empty');
  // a brace in the prefix would become the hash tag instead of the run id
  if (/[{}\s]/.test(prefix)) {
    throw new RedisConfigurationError(
      'CODY_REDIS_PREFIX',
      `must not contain braces or spaces, got "${prefix}"`,
    );
  }
  const shards = options.streamShards ?? 1;
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024) {
    throw new RedisConfigurationError('streamShards', `must be an integer from 1 to 1024, got ${shards}`);
  }
  const run = (runId: string) => `${prefix}run:{${runId}}`;
  // unsharded: today's single stream; sharded: each shard its own hash tag, so its own slot
  const sharded = (name: string, tag: string) =>
    shards === 1
      ? [`${prefix}${name}`]
      : Array.from({ length: shards }, (_, k) => `${prefix}${name}:{${tag}${k}}`);
  const announceStreams = sharded('runs:announce', 'a');
  const toolRequestStreams = sharded('tools:requests', 't');
  const cancelShardChannels = Array.from(
    { length: CANCEL_CHANNEL_SHARDS },
    (_, k) => `${prefix}cancel:{c${k}}`,
  );
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
    announceStreams,
    announceStream: (runId) => announceStreams[shardIndex(runId, shards)] as string,
    handover: `${prefix}runs:handover`,
    toolRequests: `${prefix}tools:requests`,
    toolRequestStreams,
    toolRequestStream: (runId) => toolRequestStreams[shardIndex(runId, shards)] as string,
    cancelChannel: `${prefix}cancel`,
    cancelShardChannels,
    cancelShardChannel: (runId) => cancelShardChannels[shardIndex(runId, CANCEL_CHANNEL_SHARDS)] as string,
    mcpServers: `${prefix}mcp:servers`,
  };
}
