import { codyVitestConfig } from '@cody/vitest-config';
import { defineConfig } from 'vitest/config';

export default defineConfig(codyVitestConfig({ test: { testTimeout: 240_000, hookTimeout: 240_000 } }));
