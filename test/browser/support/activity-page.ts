import type { Page } from 'playwright-core';
import { openFromNavigation } from './console-page.js';

export interface ActivityRow {
  readonly caller: string;
  readonly operation: string;
  readonly outcome: string;
}

/** Opens Activity, searches one key's records, shows 100 a page, and answers the table's rows. */
export async function keyActivity(page: Page, keyId: string): Promise<ActivityRow[]> {
  await openFromNavigation(page, 'Activity');
  await page.getByRole('searchbox', { name: 'Key' }).fill(keyId);
  await page.getByRole('button', { name: 'Search' }).click();
  await page
    .getByText(new RegExp(`^${keyId}$`))
    .first()
    .waitFor();
  await page.getByRole('button', { name: 'Preferences' }).click();
  const preferences = page.getByRole('dialog', { name: 'Preferences' });
  await preferences.getByRole('radio', { name: '100 records' }).check();
  await preferences.getByRole('button', { name: 'Confirm' }).click();
  await preferences.waitFor({ state: 'hidden' });
  const rows = page.getByRole('table', { name: 'Audit records' }).getByRole('row');
  const cells = await rows.evaluateAll((elements) =>
    elements
      .slice(1)
      .map((row) =>
        Array.from((row as unknown as { children: ArrayLike<{ textContent: string | null }> }).children, (cell) => cell.textContent ?? ''),
      ),
  );
  // Columns: time, caller, operation, outcome, keys.
  return cells.map(([, caller = '', operation = '', outcome = '']) => ({ caller, operation, outcome }));
}

/**
 * The chart's uses and denials summed over the latest `hours` hours, read as a keyboard user reads
 * them: focus the chart, then step from its last hour (the current one) back through the hours.
 */
export async function chartTotals(page: Page, hours: number): Promise<{ uses: number; denials: number }> {
  const chart = page.getByRole('application', { name: 'Uses and denials per hour' });
  await chart.focus();
  await page.keyboard.press('ArrowRight');
  const totals = { uses: 0, denials: 0 };
  for (let hour = 0; hour < hours; hour++) {
    await page.keyboard.press('ArrowLeft');
    const label = await page
      .getByRole('application')
      .getByRole('button', { name: /, Uses \d+, Denials \d+$/ })
      .getAttribute('aria-label');
    const [, uses, denials] = /Uses (\d+), Denials (\d+)$/.exec(label ?? '') ?? [];
    totals.uses += Number(uses);
    totals.denials += Number(denials);
  }
  return totals;
}
