/// <reference path="./import-meta-glob.d.ts" />

// Two dots in the name: the Convex CLI skips such files, so this test helper is never deployed.

/** The app's Convex modules (functions, helpers, `_generated`) for `convexTest(schema, modules)`. */
export const convexModules: Record<string, () => Promise<unknown>> = import.meta.glob([
  '../*.ts',
  '!../*.*.ts',
  '../lib/*.ts',
  '../_generated/*.js',
]);
