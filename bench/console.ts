import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CONSOLE_UI_DIR } from '../packages/client/src/console/ui-dir.js';
import { launchChromium } from '../test/browser/support/chromium.js';
import { RUNS, type Spread, spread } from './measure.js';

export interface ConsoleFigures {
  /** Each built file the browser loads, as served and gzipped (level 9). */
  readonly assets: Readonly<Record<string, { readonly bytes: number; readonly gzipBytes: number }>>;
  readonly gzipBytes: number;
  /** From navigation start to the keys table showing a key, in a fresh browser profile each round (nothing cached). */
  readonly firstRenderMs: Spread;
}

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
  // Debian's Chromium, launched as the browser tests launch it.
  const browser = await launchChromium();
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
