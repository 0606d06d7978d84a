import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CONSOLE_UI_DIR } from '../packages/client/src/console/ui-dir.js';
import { RUNS, type Spread, spread } from './measure.js';

export interface ConsoleFigures {
  /** Each built file the browser loads, as served and gzipped (level 9). */
  readonly assets: Readonly<Record<string, { readonly bytes: number; readonly gzipBytes: number }>>;
  readonly gzipBytes: number;
  /** From navigation start to the keys table showing a key, in a fresh browser profile each round (nothing cached). */
  readonly firstRenderMs: Spread;
}

/** Debian's Chromium, as the browser tests run it: no network beyond this machine, no first-run work. */
const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

/** The built console's size, and the time to first render of the keys page served by `consoleUrl` (npm start's console). */
export async function measureConsole(consoleUrl: string, keyAlias: string): Promise<ConsoleFigures> {
  const assets = await assetSizes();
  return {
    assets,
    gzipBytes: Object.values(assets).reduce((total, asset) => total + asset.gzipBytes, 0),
    firstRenderMs: await firstRender(consoleUrl, keyAlias),
  };
}

async function assetSizes(): Promise<ConsoleFigures['assets']> {
  const names = (await readdir(CONSOLE_UI_DIR)).filter((name) => /\.(html|js|css)$/.test(name));
  const entries = await Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(join(CONSOLE_UI_DIR, name));
      return [name, { bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length }] as const;
    }),
  );
  return Object.fromEntries(entries);
}

async function firstRender(consoleUrl: string, keyAlias: string): Promise<Spread> {
  const browser = await chromium.launch(CHROMIUM);
  try {
    const rounds: number[] = [];
    for (let round = 0; round < RUNS; round++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(consoleUrl);
      await page.getByRole('link', { name: keyAlias, exact: true }).waitFor();
      rounds.push(await page.evaluate(() => performance.now()));
      await context.close();
    }
    return spread(rounds.map((ms) => Math.round(ms)));
  } finally {
    await browser.close();
  }
}
