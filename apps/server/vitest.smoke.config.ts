// The smoke suite (`npm run test:smoke`): real providers through the whole stack. Its own
// config, so the regular `vitest run` (include: src/ and test/) never collects it.
import { codyVitestConfig } from '@cody/vitest-config';
import { defineConfig } from 'vitest/config';

export default defineConfig(
  codyVitestConfig({
    test: {
      include: ['smoke/**/*.smoke.test.ts'],
      testTimeout: 240_000,
      hookTimeout: 60_000,
    },
  }),
);
