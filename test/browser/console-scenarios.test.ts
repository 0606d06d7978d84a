import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, principal } from '../support/principals.js';
import { launchChromium, VIEWPORT } from './support/chromium.js';
import { actAs, type ConsoleTab, openConsole } from './support/console-page.js';
import { createKeyWithWizard, encryptInPanel, keyAction, openTab } from './support/key-pages.js';
import { type LocalConsole, startLocalConsole } from './support/local-console.js';

/** The KMS lab, and what follows it, as a user clicks through the console that `npm start` serves. */
let local: LocalConsole;
let browser: Browser;
let tab: ConsoleTab | undefined;

beforeAll(async () => {
  // The functions cache a key record for up to a minute: the lab wants a disable to bite at once.
  local = await startLocalConsole({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' });
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

async function signIn(): Promise<Page> {
  tab = await openConsole(await browser.newContext({ viewport: VIEWPORT }), local.url);
  return tab.page;
}

/**
 * Switches identity and loads the page again as it: a page loaded as one identity keeps what that
 * identity was shown (the console does not reload it on a switch).
 */
async function switchTo(page: Page, name: 'owner' | 'teammate' | 'outsider'): Promise<void> {
  await actAs(page, name);
  await page.reload();
  await page.getByRole('button', { name: `Acting as ${name}: choose another local identity` }).waitFor();
}

/** The key page's header status, once it reads `state`. */
async function seeState(page: Page, state: 'Enabled' | 'Disabled' | 'Pending deletion'): Promise<void> {
  await page
    .getByRole('term')
    .filter({ hasText: /^Status$/ })
    .locator('xpath=following-sibling::*[1]')
    .getByText(state, { exact: true })
    .waitFor();
}

async function _openKeyFromList(page: Page, alias: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name: 'Keys', exact: true }).click();
  await page.getByRole('link', { name: alias, exact: true }).click();
  await page.getByRole('heading', { name: alias, level: 1 }).waitFor();
}

/** What the fields of that name hold, in order. */
async function values(scope: Locator, field: string): Promise<string[]> {
  return Promise.all((await scope.getByRole('combobox', { name: field, exact: true }).all()).map((input) => input.inputValue()));
}

const flash = (page: Page, text: string | RegExp) => page.getByRole('region', { name: 'Notifications' }).getByText(text).first();

describe('the KMS lab, in the console', () => {
  it('owner creates orders with tags and the teammate as user; teammate encrypts, outsider is refused; disable bites, enable, deletion scheduled by typing the alias, cancelled', async () => {
    const page = await signIn();
    const keyId = await createKeyWithWizard(page, {
      alias: 'orders',
      description: 'Orders of the shop',
      tags: { team: 'shop', env: 'lab' },
      users: ['teammate'],
    });
    await flash(page, 'Key orders created with 1 administrator and 2 users').waitFor();
    await openTab(page, 'Tags');
    expect(await values(page.getByRole('tabpanel'), 'Tags Key')).toEqual(['team', 'env']);
    expect(await values(page.getByRole('tabpanel'), 'Tags Value - optional')).toEqual(['shop', 'lab']);
    await openTab(page, 'Key policy');
    expect(await values(page.getByRole('tabpanel'), 'Key administrators Principal ARN')).toEqual([principal('owner').arn]);
    expect(await values(page.getByRole('tabpanel'), 'Key users Principal ARN')).toEqual([principal('owner').arn, principal('teammate').arn]);

    await switchTo(page, 'teammate');
    await page.getByText("You cannot view this key's configuration").waitFor();
    expect(await encryptInPanel(page, 'order #1: 2 books')).toMatchObject({
      ok: true,
      text: expect.stringMatching(/^Encrypted with version 1\nev2\./),
    });

    await switchTo(page, 'outsider');
    const refused = await encryptInPanel(page, 'order #2');
    expect(refused.ok).toBe(false);
    expect(refused.text).toContain('AccessDenied: ');
    expect(refused.text).toContain("The key's own policy does not allow you this");

    await switchTo(page, 'owner');
    await keyAction(page, 'Disable');
    const disable = page.getByRole('dialog', { name: 'Disable key' });
    await disable.getByRole('button', { name: 'Disable key' }).click();
    await disable.waitFor({ state: 'hidden' });
    await seeState(page, 'Disabled');

    await switchTo(page, 'teammate');
    const disabled = await encryptInPanel(page, 'order #3');
    expect(disabled).toMatchObject({ ok: false, text: expect.stringContaining('KeyDisabled: ') });

    await switchTo(page, 'owner');
    await keyAction(page, 'Enable');
    await seeState(page, 'Enabled');

    await keyAction(page, 'Schedule key deletion');
    const schedule = page.getByRole('dialog', { name: 'Schedule key deletion' });
    await schedule.getByRole('spinbutton', { name: 'Waiting period (in days)' }).fill('7');
    await schedule.getByRole('textbox', { name: 'To confirm, type orders' }).fill('order');
    await schedule.getByRole('button', { name: 'Schedule deletion' }).click();
    await schedule.getByText('Type orders to confirm.').waitFor();
    await seeState(page, 'Enabled');
    await schedule.getByRole('textbox', { name: 'To confirm, type orders' }).fill('orders');
    await schedule.getByRole('button', { name: 'Schedule deletion' }).click();
    await schedule.waitFor({ state: 'hidden' });
    await seeState(page, 'Pending deletion');
    expect((await clientFor(local.runtime.apiUrl, 'owner').getKey(keyId)).state).toBe('PendingDeletion');

    await keyAction(page, 'Cancel key deletion');
    await seeState(page, 'Disabled');
    expect((await clientFor(local.runtime.apiUrl, 'owner').getKey(keyId)).state).toBe('Disabled');
  });
});
