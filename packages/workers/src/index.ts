export { closingEvents } from './persistence/closing-events';
export { isPermanentStoreError } from './persistence/is-permanent-store-error';
export {
  PersistenceWorker,
  type PersistenceWorkerOptions,
  type PersistenceWorkerStats,
} from './persistence/persistence-worker';
export { restoreEvents } from './persistence/restore-events';
export * from './run-driver/index';
export * from './tool-worker/index';
