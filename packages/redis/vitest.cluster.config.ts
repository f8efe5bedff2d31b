import { codyVitestConfig } from '@cody/vitest-config';
import { defineConfig } from 'vitest/config';

// `pnpm test:cluster`: the same suite on a Redis Cluster this run starts (REDIS_CLUSTER_NODES)
export default defineConfig(
  codyVitestConfig({ test: { globalSetup: ['test/support/cluster-global-setup.ts'] } }),
);
