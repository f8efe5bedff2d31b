export type { ConvexFunctionClient } from './convex/convex-function-client';
export { ConvexStore, type ConvexStoreOptions } from './convex/convex-store';
export { createStore, type StoreConfig } from './create-store';
export { RunThreadMismatchError } from './errors/run-thread-mismatch-error';
export { StoreError } from './errors/store-error';
export { STORE_ERROR_CODES, type StoreErrorCode } from './errors/store-error-codes';
export { ThreadAlreadyExistsError } from './errors/thread-already-exists-error';
export { ThreadNotFoundError } from './errors/thread-not-found-error';
export { DEFAULT_REDIS_PREFIX, RedisStore, type RedisStoreOptions } from './redis/redis-store';
export { redisStoreKeys } from './redis/redis-store-keys';
export type { RedisClient } from './redis/run-script';
export type {
  CreateThreadInput,
  ListThreadsOptions,
  PutRunResult,
  Store,
  StoredRun,
  ThreadPage,
} from './store';
export { DEFAULT_THREAD_PAGE_SIZE, DEFAULT_THREAD_TITLE, MAX_THREAD_PAGE_SIZE } from './store-input';
export { compareStreamIds, StreamIdSchema } from './stream-id';
