import { accessSync, constants } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export type ChromiumLookup = { found: true; path: string } | { found: false; reason: string };

/** Debian's Chromium (or `CHROMIUM_PATH`); `npx playwright install` cannot download browsers here. */
export function findChromium(): ChromiumLookup {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  try {
    accessSync(path, constants.X_OK);
    return { found: true, path };
  } catch {
    return {
      found: false,
      reason: `no Chromium at ${path} (install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH)`,
    };
  }
}

/** Headless Chromium with the flags a container without a sandbox or GPU needs. */
export function launchChromium(path: string): Promise<Browser> {
  return chromium.launch({
    executablePath: path,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
