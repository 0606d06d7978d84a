import type { Locator, Page } from 'playwright-core';
import type { PageDocument } from './page-globals.js';

declare const document: PageDocument;

const isFocused = (target: Locator) => target.evaluate((element) => element === document.activeElement);

/** Presses Tab, as a keyboard user does, until `target` has the focus; fails if it never gets it. */
export async function tabTo(page: Page, target: Locator, { maxPresses = 60 } = {}): Promise<void> {
  for (let presses = 0; presses < maxPresses; presses++) {
    if (await isFocused(target)) return;
    await page.keyboard.press('Tab');
  }
  if (!(await isFocused(target))) throw new Error(`${maxPresses} presses of Tab never reached ${target}`);
}
