import { codyVitestConfig } from '@cody/vitest-config';
import { defineConfig } from 'vitest/config';

export default defineConfig(codyVitestConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } }));
