import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { keyActivity } from '../test/browser/support/activity-page.js';
import { launchChromium, VIEWPORT } from '../test/browser/support/chromium.js';
import { openConsole } from '../test/browser/support/console-page.js';
import { openTab } from '../test/browser/support/key-pages.js';
import { startLocalConsole } from '../test/browser/support/local-console.js';
import { clientFor, principal } from '../test/support/principals.js';

/**
 * The console's screenshots in docs/images/ (1280×800): `npm run screenshots`.
 * It starts `npm start` on free ports, as the browser tests do, gives it a few keys and some traffic
 * through the typed client, and photographs the keys page, a key, the create wizard and Activity.
 */
const OUT = new URL('../docs/images/', import.meta.url);

// No cached key record: the encrypt tried while the key is disabled is refused, as the lab shows.
const local = await startLocalConsole({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' });
const browser = await launchChromium();
try {
  const keyId = await seed(local.runtime.apiUrl);
  await mkdir(OUT, { recursive: true });
  const { page, problems } = await openConsole(await browser.newContext({ viewport: VIEWPORT, reducedMotion: 'reduce' }), local.url);

  await page.getByRole('link', { name: 'orders', exact: true }).waitFor();
  await shoot(page, 'console-keys.png');

  await page.getByRole('link', { name: 'orders', exact: true }).click();
  await page.getByRole('heading', { name: 'orders', level: 1 }).waitFor();
  await openTab(page, 'Key policy');
  await page.getByRole('tabpanel', { name: 'Key policy' }).waitFor();
  await shoot(page, 'console-key.png');

  await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name: 'Keys', exact: true }).click();
  await page.getByRole('link', { name: 'Create key' }).click();
  await page.getByRole('textbox', { name: 'Alias', exact: true }).fill('invoices');
  await page.getByRole('textbox', { name: 'Description', exact: true }).fill('Invoices sent to customers, and their PDFs');
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('button', { name: 'Add new tag' }).click();
  await page.getByPlaceholder('Enter key').fill('team');
  await page.getByPlaceholder('Enter value').fill('billing');
  await page.getByRole('heading', { name: 'Tags', exact: true }).first().click();
  await shoot(page, 'console-create.png');

  await keyActivity(page, keyId);
  // The chart and the first records, rather than the filters.
  await page
    .getByRole('heading', { name: 'Uses and denials per hour' })
    .evaluate((heading) => (heading as unknown as { scrollIntoView(options: object): void }).scrollIntoView({ block: 'start' }));
  await page.mouse.wheel(0, -40);
  await shoot(page, 'console-activity.png');

  problems.assertNone();
} finally {
  await browser.close();
  await local.stop();
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: new URL(name, OUT).pathname, animations: 'disabled', caret: 'hide' });
  console.log(`docs/images/${name}`);
}

/** A few keys as a team would have them, with grants and some uses and refusals of `orders`; answers its id. */
async function seed(apiUrl: string): Promise<string> {
  const owner = clientFor(apiUrl, 'owner');
  const orders = await owner.createKey({ alias: 'orders', description: 'Orders of the shop', tags: { team: 'shop', env: 'prod' } });
  await owner.putKeyPolicy(orders.keyId, {
    admins: [principal('owner').arn],
    users: [principal('owner').arn, principal('teammate').arn],
  });
  await owner.createGrant(orders.keyId, { grantee: principal('outsider').arn, operations: ['encrypt'], name: 'outsider-encrypts' });
  await owner.rotateKey(orders.keyId);
  for (const [alias, description, team] of [
    ['payments', 'Card tokens and payouts', 'payments'],
    ['customers', 'Customer addresses and phone numbers', 'crm'],
    ['backups', 'Nightly database backups', 'platform'],
  ] as const) {
    await owner.createKey({ alias, description, tags: { team, env: 'prod' } });
  }
  const teammate = clientFor(apiUrl, 'teammate');
  for (let n = 0; n < 12; n++) await teammate.encrypt(orders.keyId, `order #${n}`);
  const outsider = clientFor(apiUrl, 'outsider');
  await outsider.encrypt(orders.keyId, 'through its grant');
  await outsider.decrypt((await teammate.encrypt(orders.keyId, 'not for the outsider')).ciphertext).catch(() => undefined);
  await owner.disableKey(orders.keyId);
  await teammate.encrypt(orders.keyId, 'while disabled').catch(() => undefined);
  await owner.enableKey(orders.keyId);
  return orders.keyId;
}
