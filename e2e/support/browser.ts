import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (no browser download is possible here). */
export const chromiumPath = '/usr/bin/chromium';

/** Whether Chromium is there; if not, says which tests are skipped and why. */
export function chromiumFor(tests: string): boolean {
  const present = existsSync(chromiumPath);
  if (!present)
    console.warn(
      `skipping the ${tests} browser tests: no Chromium at ${chromiumPath} (apt-get install chromium)`,
    );
  return present;
}

/** Headless Chromium as root on a closed network: no sandbox, no background connections. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
