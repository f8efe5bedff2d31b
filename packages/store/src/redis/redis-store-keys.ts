/**
 * The store's Redis keys. Keys that one script touches together share a hash tag, so every
 * script stays within one Redis Cluster slot: a run's keys use `{<runId>}`, a thread's `{<threadId>}`.
 */
export function redisStoreKeys(prefix: string) {
  return {
    /** hash: response (JSON), last_stream_id, thread_id, created_at */
    run: (runId: string) => `${prefix}run:{${runId}}:snapshot`,
    /** hash: id, title, agent_id?, created_at, updated_at */
    thread: (threadId: string) => `${prefix}thread:{${threadId}}`,
    /** sorted set: run id scored by the run's created_at */
    threadRuns: (threadId: string) => `${prefix}thread:{${threadId}}:runs`,
    /** sorted set: thread id scored by the thread's updated_at */
    threadsByUpdated: () => `${prefix}threads:by-updated`,
  };
}
export type RedisStoreKeys = ReturnType<typeof redisStoreKeys>;
