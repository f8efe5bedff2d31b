import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // the script sandbox's worker thread loads this file from beside dist/index.js
  onSuccess: 'cp src/sandbox-worker.mjs dist/sandbox-worker.mjs',
});
