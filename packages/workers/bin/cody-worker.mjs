#!/usr/bin/env node
// Committed launcher for the `cody-worker` bin: it exists before the first build, so installing
// the workspace links it without warnings; the worker itself is the built dist/bin/worker.js.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin/worker.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('cody-worker is not built yet: run `npm run build` (or `npm start`) first.');
  process.exit(1);
}
await import(entry.href);
