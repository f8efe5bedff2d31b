export { announceRun } from './announce-run';
export { assertRedisTopology } from './assert-redis-topology';
export { type CancelListener, CancelSignals } from './cancel-signals';
export { closeConnection } from './close-connection';
export { compareStreamIds } from './compare-stream-ids';
export {
  ConsumerGroup,
  type ConsumerGroupOptions,
  type GroupEntry,
  type PendingEntry,
} from './consumer-group';
export {
  createRedisConnection,
  DEFAULT_REDIS_URL,
  type RedisConnectionOptions,
} from './create-redis-connection';
export {
  CANCEL_CHANNEL_SHARDS,
  createRedisKeys,
  DEFAULT_REDIS_PREFIX,
  PROJECTOR_GROUP,
  type RedisKeys,
  type RedisKeysOptions,
  TOOL_WORKER_GROUP,
} from './create-redis-keys';
export { type CreateStreamEventOptions, createStreamEvent } from './create-stream-event';
export { decodeStreamEntries, type RawStreamEntry, type StreamEntry } from './decode-stream-entries';
export { deleteRun, isRunDeleted, threadRunIds, trackThreadRun } from './delete-run';
export { EventRunMismatchError } from './errors/event-run-mismatch-error';
export { LeaseLostError } from './errors/lease-lost-error';
export { RedisCommandError } from './errors/redis-command-error';
export { RedisConfigurationError } from './errors/redis-configuration-error';
export { REDIS_ERROR_CODES, type RedisErrorCode } from './errors/redis-error-codes';
export { StreamResetError } from './errors/stream-reset-error';
export { TailerClosedError } from './errors/tailer-closed-error';
export { execBySlot, type SlotCommand } from './exec-by-slot';
export { expireRun } from './expire-run';
export { extractTraceContext } from './extract-trace-context';
export { fieldValue } from './field-value';
export { injectTraceContext, NULL_TRACEPARENT } from './inject-trace-context';
export { keySlot, keysBySlot } from './keys-by-slot';
export { LeaseKeeper, type LeaseKeeperOptions } from './lease-keeper';
export { type Logger, silentLogger } from './logger';
export { nodeForKey } from './node-for-key';
export { publishEvent } from './publish-event';
export {
  type ConditionalPublishResult,
  type PublishConditions,
  publishIfUnchanged,
} from './publish-if-unchanged';
export { readLastEntry } from './read-last-entry';
export { type ReadRangeOptions, readRange } from './read-range';
export { reconnectBackoff } from './reconnect-backoff';
export { isClusterClient, type RedisClient } from './redis-client';
export {
  DEFAULT_CLUSTER_STREAM_SHARDS,
  type EmitOptions,
  RedisTransport,
  type RedisTransportOptions,
} from './redis-transport';
export {
  assertRedisUrl,
  type RedisNodeAddress,
  type RedisTopology,
  type RedisTopologyEnv,
  resolveRedisTopology,
} from './resolve-redis-topology';
export {
  type ApprovalDecideOutcome,
  type ApprovalRecord,
  type ApprovalRequestOutcome,
  approvalField,
  RunApprovals,
} from './run-approvals';
export { DEFAULT_LEASE_TTL_MS, HANDOVER_OWNER, RunLeases } from './run-leases';
export { type PublishedEntry, RunPublisher, type RunPublisherOptions } from './run-publisher';
export {
  ShardedConsumerGroup,
  type ShardedConsumerGroupOptions,
  type StreamConsumer,
} from './sharded-consumer-group';
export { sleep } from './sleep';
export {
  StreamTailer,
  type StreamTailerOptions,
  type TailerStats,
  type TailHandlers,
  type TailSubscription,
} from './stream-tailer';
