import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`): Playwright's own browser downloads are never used. */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Every test page is 1280×800, the screenshots' size. */
export const VIEWPORT = { width: 1280, height: 800 } as const;

/**
 * Chromium with a throwaway profile; each `browser.newContext()` starts with no cookie. A missing
 * Chromium fails the test that needs it (never a skip: the browser tests would then pass without running).
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the console's browser tests need it (apt-get install chromium, or npm run prerequisites).`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...ARGS, ...extraArgs] });
}
