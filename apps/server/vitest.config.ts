import { codyVitestConfig } from '@cody/vitest-config';
import { defineConfig } from 'vitest/config';

export default defineConfig(codyVitestConfig());
