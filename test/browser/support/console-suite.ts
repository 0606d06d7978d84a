import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium, VIEWPORT } from './chromium.js';
import { type ConsoleTab, openConsole } from './console-page.js';
import { type LocalConsole, startLocalConsole } from './local-console.js';

export interface ConsoleSuite {
  /** `npm start` with its console, started before the file's first test. */
  readonly local: LocalConsole;
  /** Opens the console in a fresh browser context (no cookie), closed after the test. */
  signIn(options?: BrowserContextOptions): Promise<Page>;
}

/**
 * One `npm start` and one Chromium for a test file. After each test its tab's context is closed,
 * and any problem the page reported (an error, a failed request) fails that test.
 */
export function consoleSuite(env: Readonly<Record<string, string>> = {}): ConsoleSuite {
  let local: LocalConsole | undefined;
  let browser: Browser | undefined;
  let tab: ConsoleTab | undefined;

  beforeAll(async () => {
    local = await startLocalConsole(env);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await local?.stop();
  });

  afterEach(async () => {
    const done = tab;
    tab = undefined;
    await done?.page.context().close();
    done?.problems.assertNone();
  });

  return {
    get local() {
      if (local === undefined) throw new Error('the console starts in beforeAll');
      return local;
    },
    async signIn(options = {}) {
      if (browser === undefined || local === undefined) throw new Error('the console starts in beforeAll');
      tab = await openConsole(await browser.newContext({ viewport: VIEWPORT, ...options }), local.url);
      return tab.page;
    },
  };
}
