// Builds the web app once for every browser test file, into a temp directory the in-process
// server serves through CODY_WEB_DIST (apps/web/dist is left alone).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { findChromium } from './support/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built web app ('' when there is no Chromium and nothing was built). */
    webDist: string;
  }
}

const webRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function setup(project: TestProject) {
  const chromium = findChromium();
  if (!chromium.found) {
    console.warn(`browser tests skipped: ${chromium.reason}`);
    project.provide('webDist', '');
    return;
  }
  const outDir = mkdtempSync(join(tmpdir(), 'cody-web-dist-'));
  // vitest sets NODE_ENV=test; the bundle must be the production one the server ships
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: webRoot,
      configFile: join(webRoot, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  project.provide('webDist', outDir);
  return () => rmSync(outDir, { recursive: true, force: true });
}
