import { codyVitestConfig } from '@cody/vitest-config';
import { configDefaults, defineConfig } from 'vitest/config';

// two projects: the unit tests (node by default; files that need a DOM say
// `// @vitest-environment jsdom`), then the browser tests against the real server, alone and
// one file at a time: each drives a Chromium and a stack, and one prints render figures
export default defineConfig(
  codyVitestConfig({
    test: {
      // each project names its own files (arrays from the root would be merged into both)
      include: [],
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            environment: 'node',
            include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'],
            exclude: [...configDefaults.exclude, 'test/browser/**'],
          },
        },
        {
          extends: true,
          test: {
            name: 'browser',
            environment: 'node',
            include: ['test/browser/**/*.test.ts'],
            globalSetup: ['test/browser/global-setup.ts'],
            maxWorkers: 1,
            sequence: { groupOrder: 1 },
          },
        },
      ],
    },
  }),
);
