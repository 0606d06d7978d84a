import type { Locator, Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { clientFor, principal } from '../support/principals.js';
import { actAs } from './support/console-page.js';
import { consoleSuite } from './support/console-suite.js';
import { createKeyWithWizard, encryptInPanel, keyAction, openTab, pickIdentity } from './support/key-pages.js';
import { chartTotals, keyActivity } from './support/activity-page.js';

/** The KMS lab, and what follows it, as a user clicks through the console that `npm start` serves. */
// A browser's steps against npm start take seconds each; the suite's other files share the machine's 2 cores.
vi.setConfig({ testTimeout: 180_000 });
// The functions cache a key record for up to a minute: the lab wants a disable to bite at once.
const suite = consoleSuite({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' });
const signIn = () => suite.signIn();

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

/** What the fields of that name hold, in order. */
async function values(scope: Locator, field: string): Promise<string[]> {
  return Promise.all((await scope.getByRole('combobox', { name: field, exact: true }).all()).map((input) => input.inputValue()));
}

async function openKeyFromList(page: Page, alias: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name: 'Keys', exact: true }).click();
  await page.getByRole('link', { name: alias, exact: true }).click();
  await page.getByRole('heading', { name: alias, level: 1 }).waitFor();
}

const flash = (page: Page, text: string | RegExp) => page.getByRole('region', { name: 'Notifications' }).getByText(text).first();

describe('the KMS lab, in the console', () => {
  it('owner creates orders with tags and the teammate as user; teammate encrypts, outsider is refused; disable bites, enable, deletion scheduled by typing the alias, cancelled; Activity shows that traffic', async () => {
    const startedAt = Date.now();
    const page = await signIn();
    const keyId = await createKeyWithWizard(page, {
      alias: 'orders',
      description: 'Orders of the shop',
      tags: { team: 'shop', env: 'lab' },
      users: ['teammate'],
    });
    await flash(page, 'Key orders created with 1 administrator and 2 users').waitFor();
    await openTab(page, 'Tags');
    expect(await values(page.getByRole('tabpanel'), 'Key')).toEqual(['team', 'env']);
    expect(await values(page.getByRole('tabpanel'), 'Value - optional')).toEqual(['shop', 'lab']);
    await openTab(page, 'Key policy');
    expect(await values(page.getByRole('tabpanel'), 'Key administrators Principal ARN')).toEqual([principal('owner').arn]);
    expect(await values(page.getByRole('tabpanel'), 'Key users Principal ARN')).toEqual([principal('owner').arn, principal('teammate').arn]);

    await switchTo(page, 'teammate');
    await page.getByText("You cannot view this key's configuration").waitFor();
    expect(await encryptInPanel(page, 'order #1: 2 books')).toMatchObject({
      ok: true,
      text: expect.stringMatching(/^Encrypted with version 1\s*ev2\./),
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
    expect((await clientFor(suite.local.runtime.apiUrl, 'owner').getKey(keyId)).state).toBe('PendingDeletion');

    await keyAction(page, 'Cancel key deletion');
    await seeState(page, 'Disabled');
    expect((await clientFor(suite.local.runtime.apiUrl, 'owner').getKey(keyId)).state).toBe('Disabled');

    const rows = await keyActivity(page, keyId);
    const arn = (name: 'owner' | 'teammate' | 'outsider') => principal(name).arn;
    expect(rows).toEqual(
      expect.arrayContaining([
        { caller: arn('owner'), operation: 'createKey', outcome: 'Success' },
        { caller: arn('teammate'), operation: 'encrypt', outcome: 'Success' },
        { caller: arn('outsider'), operation: 'encrypt', outcome: 'AccessDenied' },
        { caller: arn('owner'), operation: 'disableKey', outcome: 'Success' },
        { caller: arn('teammate'), operation: 'encrypt', outcome: 'KeyDisabled' },
        { caller: arn('owner'), operation: 'scheduleKeyDeletion', outcome: 'Success' },
        { caller: arn('owner'), operation: 'cancelKeyDeletion', outcome: 'Success' },
      ]),
    );
    const hours = new Date().getUTCHours() - new Date(startedAt).getUTCHours() + 1;
    expect(await chartTotals(page, hours > 0 ? hours : hours + 24)).toEqual({
      uses: rows.filter((row) => row.outcome === 'Success').length,
      denials: rows.filter((row) => row.outcome === 'AccessDenied').length,
    });
  });
});

describe('grants', () => {
  it("owner grants the outsider encrypt on a key; it is listed, the outsider's encrypt works; revoked, it is refused again", async () => {
    await clientFor(suite.local.runtime.apiUrl, 'owner').createKey({ alias: 'ledger', description: 'For grants' });
    const page = await signIn();
    await openKeyFromList(page, 'ledger');
    await openTab(page, 'Grants');
    await page.getByRole('tabpanel').getByText('No active grant on this key.').waitFor();
    await page.getByRole('button', { name: 'Create grant' }).click();
    const create = page.getByRole('dialog', { name: 'Create grant' });
    // The local identities are offered, as in the wizard.
    await pickIdentity(create.getByRole('combobox', { name: 'Grantee principal ARN' }), 'outsider');
    await create.getByRole('button', { name: /^Operations/ }).click();
    await page.getByRole('option', { name: 'Encrypt', exact: true }).click();
    await page.keyboard.press('Escape');
    await create.getByRole('textbox', { name: 'Name - optional' }).fill('outsider-encrypts');
    await create.getByRole('button', { name: 'Create grant' }).click();
    await create.waitFor({ state: 'hidden' });
    await flash(page, `Grant outsider-encrypts created for ${principal('outsider').arn}.`).waitFor();
    const row = page.getByRole('table', { name: 'Grants' }).getByRole('row').filter({ hasText: 'outsider-encrypts' });
    await row.waitFor();
    expect(await row.textContent()).toContain(principal('outsider').arn);
    expect(await row.textContent()).toContain('encrypt');

    await switchTo(page, 'outsider');
    expect(await encryptInPanel(page, 'with a grant')).toMatchObject({ ok: true });

    await switchTo(page, 'owner');
    await openTab(page, 'Grants');
    await page.getByRole('radio', { name: 'Select grant outsider-encrypts' }).check();
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke grant' });
    await revoke.getByRole('button', { name: 'Revoke grant' }).click();
    await revoke.waitFor({ state: 'hidden' });
    await flash(page, 'Grant outsider-encrypts revoked.').waitFor();
    await page.getByRole('tabpanel').getByText('No active grant on this key.').waitFor();

    await switchTo(page, 'outsider');
    expect(await encryptInPanel(page, 'grant revoked')).toMatchObject({ ok: false, text: expect.stringContaining('AccessDenied: ') });
  });
});

describe('key versions', () => {
  it('shows each version retired or enabled, and when it last decrypted, as the API keeps it', async () => {
    const owner = clientFor(suite.local.runtime.apiUrl, 'owner');
    const { keyId } = await owner.createKey({ alias: 'rotated' });
    const { ciphertext } = await owner.encrypt(keyId, 'first');
    await owner.decrypt(ciphertext);
    await owner.rotateKey(keyId);
    await owner.rotateKey(keyId);
    await owner.retireKeyVersions(keyId, 3);
    const page = await signIn();
    await openKeyFromList(page, 'rotated');
    await openTab(page, 'Versions');
    const table = page.getByRole('table', { name: 'Key versions' });
    await page.getByText(/versions below 3 are retired/).waitFor();
    const row = (version: string) => table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: version, exact: true }) });
    expect(await row('3 (current)').textContent()).toMatch(/Enabled.*Never/);
    expect(await row('2').textContent()).toMatch(/Retired.*Never/);
    expect(await row('1').textContent()).toMatch(/Retired.*\(that hour\)/);
  });
});

describe('the key policy', () => {
  it('refuses a policy without its owner as administrator and says why; the bypass needs its acknowledgement, and then the owner is out and the new administrator in', async () => {
    await clientFor(suite.local.runtime.apiUrl, 'owner').createKey({ alias: 'handover', description: 'Handed to the teammate' });
    const page = await signIn();
    await openKeyFromList(page, 'handover');
    await openTab(page, 'Key policy');
    const policy = page.getByRole('tabpanel');
    await policy.getByRole('button', { name: 'Add key administrator' }).click();
    await pickIdentity(policy.getByRole('combobox', { name: 'Key administrators Principal ARN', exact: true }).nth(1), 'teammate');
    await policy.getByRole('button', { name: `Remove ${principal('owner').arn} from key administrators` }).click();
    await policy.getByRole('button', { name: 'Save changes' }).click();

    const warning = policy.getByRole('group').filter({ hasText: 'This policy would lock you out of the key' });
    await warning.waitFor();
    expect(await warning.textContent()).toContain('You are not among the administrators this policy names');
    await flash(page, 'The key policy was not saved').waitFor();
    expect((await clientFor(suite.local.runtime.apiUrl, 'owner').getKey('alias/handover')).policy.admins).toEqual([principal('owner').arn]);

    await policy.getByRole('button', { name: 'Save without me as administrator' }).click();
    const confirm = page.getByRole('dialog', { name: 'Save the policy without you as administrator?' });
    const giveUp = confirm.getByRole('button', { name: 'Save and give up administration' });
    expect(await giveUp.isDisabled()).toBe(true);
    await confirm.getByRole('checkbox', { name: 'I understand that I lose administration of this key' }).check();
    await giveUp.click();
    await confirm.waitFor({ state: 'hidden' });
    await flash(page, 'Key policy saved.').waitFor();
    await page.getByText("You cannot view this key's configuration").waitFor();

    await switchTo(page, 'teammate');
    await openKeyFromList(page, 'handover');
    await openTab(page, 'Key policy');
    expect(await values(page.getByRole('tabpanel'), 'Key administrators Principal ARN')).toEqual([principal('teammate').arn]);
  });
});

describe('the keys table', () => {
  it('pages past the API’s 50 keys: the second page loads the next token and shows key 55', async () => {
    // The outsider's only keys: its grant on ledger was revoked above.
    const outsider = clientFor(suite.local.runtime.apiUrl, 'outsider');
    for (let n = 1; n <= 55; n++) await outsider.createKey({ alias: `bulk-${String(n).padStart(2, '0')}` });
    const page = await signIn();
    await actAs(page, 'outsider');
    await page.reload();
    await page.getByRole('heading', { name: 'Keys (50+)', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Preferences' }).click();
    const preferences = page.getByRole('dialog', { name: 'Preferences' });
    await preferences.getByRole('radio', { name: '50 keys' }).check();
    await preferences.getByRole('button', { name: 'Confirm' }).click();
    const table = page.getByRole('table', { name: 'Keys' });
    await expect.poll(() => table.getByRole('link', { name: /^bulk-/ }).count()).toBe(50);

    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('heading', { name: /^Keys \(5\d\)$/, level: 1 }).waitFor();
    await table.getByRole('link', { name: 'bulk-55' }).waitFor();
    // Sorted by alias over all 55 loaded keys, the second page holds the last five.
    expect(await table.getByRole('link', { name: /^bulk-/ }).allInnerTexts()).toEqual(['bulk-51', 'bulk-52', 'bulk-53', 'bulk-54', 'bulk-55']);
    expect(await page.getByRole('button', { name: 'Page 2' }).getAttribute('aria-current')).toBe('true');
  });
});
