import { codyVitestConfig } from '@cody/vitest-config';
import { defineConfig } from 'vitest/config';

// convex-test runs the functions in the edge runtime, as Convex's own runtime does
export default defineConfig(codyVitestConfig({ test: { environment: 'edge-runtime' } }));
