// Shared vitest settings: workspace packages resolve to their src/ through the
// `@cody/source` condition, so tests never need a prebuild.
import { defaultClientConditions, defaultServerConditions } from 'vite';

export const sourceCondition = '@cody/source';

/** @param {import('vitest/config').ViteUserConfig} [extra] */
export function codyVitestConfig(extra = {}) {
  return {
    ...extra,
    resolve: { conditions: [sourceCondition, ...defaultClientConditions], ...(extra.resolve ?? {}) },
    ssr: {
      resolve: {
        conditions: [sourceCondition, ...defaultServerConditions],
        externalConditions: [sourceCondition],
      },
    },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'src/**/*.test.tsx'],
      ...(extra.test ?? {}),
    },
  };
}
