// Shared vitest settings: workspace packages resolve to their src/ through the
// `@cody/source` condition, so tests never need a prebuild.
import { defaultClientConditions, defaultServerConditions } from 'vite';

export const sourceCondition = '@cody/source';

/** How long a test may run before it counts as hung (not as slow). */
export const HANG_MS = 600_000;

/** @param {unknown} value */
const asArray = (value) => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** @param {import('vitest/config').ViteUserConfig} [extra] */
export function codyVitestConfig(extra = {}) {
  return {
    ...extra,
    resolve: { conditions: [sourceCondition, ...defaultClientConditions], ...(extra.resolve ?? {}) },
    ssr: {
      resolve: {
        // not 'module': some packages (@opentelemetry/api) put bundler-only ESM under it
        conditions: [sourceCondition, ...defaultServerConditions.filter((c) => c !== 'module')],
        externalConditions: [sourceCondition],
      },
    },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'src/**/*.test.tsx'],
      // a test timeout only catches a hang: tests await events and conditions, never a budget,
      // so it is set far above any honest duration on a busy machine (vitest's 5 s is a budget)
      testTimeout: HANG_MS,
      hookTimeout: HANG_MS,
      ...(extra.test ?? {}),
      server: {
        ...extra.test?.server,
        deps: {
          ...extra.test?.server?.deps,
          // on Bun, vitest's externalised import of zod's ESM yields a namespace without its `z`
          // export; transforming zod through vite (inline) gives both runtimes the same module
          inline: ['zod', ...asArray(extra.test?.server?.deps?.inline)],
        },
      },
    },
  };
}
