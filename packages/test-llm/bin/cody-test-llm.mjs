#!/usr/bin/env node
// Committed launcher for the `cody-test-llm` bin: it exists before the first build, so installing
// the workspace links it without warnings; the server itself is the built dist/bin.js.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('cody-test-llm is not built yet: run `npm run build` (or `npm start`) first.');
  process.exit(1);
}
await import(entry.href);
