import type { ModelCatalogue, ModelProvider } from '@cody/adapters';
import type { RedisTransport } from '@cody/redis';
import type { Store } from '@cody/store';
import type { RunDriver } from '@cody/workers';
import type { ServerConfig } from './config';
import type { SseCapacity } from './http/sse-capacity';

/** What the routes work with; `createCodyServer` builds it from the configuration. */
export interface ServerContext {
  config: ServerConfig & { sseHeartbeatMs: number };
  transport: RedisTransport;
  store: Store;
  driver: RunDriver;
  /** Open SSE streams of this process, capped in all and per run. */
  sseCapacity: SseCapacity;
  catalogue: ModelCatalogue;
  /** The provider for an id; throws UNKNOWN_PROVIDER or CONFIGURATION_ERROR (no key). */
  provider(id: string): ModelProvider;
  /** Whether a provider has credentials, without throwing. */
  isConfigured(id: string): boolean;
}
