import { codyVitestConfig } from '@cody/vitest-config';
import { defineConfig } from 'vitest/config';

// The reducer runs in browsers too: every test runs in Node and in a DOM environment.
export default defineConfig(
  codyVitestConfig({
    test: {
      projects: [
        { extends: true, test: { name: 'node', environment: 'node' } },
        { extends: true, test: { name: 'browser-like', environment: 'jsdom' } },
      ],
    },
  }),
);
