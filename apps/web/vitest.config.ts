import { codyVitestConfig } from '@cody/vitest-config';
import { defineConfig } from 'vitest/config';

// node by default; files that need a DOM say `// @vitest-environment jsdom`
export default defineConfig(codyVitestConfig({ test: { environment: 'node' } }));
