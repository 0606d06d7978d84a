import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { clientFor, principal } from '../support/principals.js';
import { seriousViolations } from './support/axe.js';
import { openFromNavigation } from './support/console-page.js';
import { consoleSuite } from './support/console-suite.js';
import { keyAction, openTab } from './support/key-pages.js';
import { tabTo } from './support/keyboard.js';

/** Each page of the console passes axe-core (no serious or critical violation), and its main controls work from the keyboard. */
// A browser's steps against npm start take seconds each; the suite's other files share the machine's 2 cores.
vi.setConfig({ testTimeout: 180_000 });
const suite = consoleSuite();
let keyId: string;

beforeAll(async () => {
  const owner = clientFor(suite.local.runtime.apiUrl, 'owner');
  keyId = (await owner.createKey({ alias: 'orders', description: 'Orders of the shop', tags: { team: 'shop' } })).keyId;
  await owner.putKeyPolicy(keyId, { admins: [principal('owner').arn], users: [principal('owner').arn, principal('teammate').arn] });
  await owner.createGrant(keyId, { grantee: principal('teammate').arn, operations: ['decrypt'], name: 'teammate-decrypts' });
  await owner.encrypt(keyId, 'traffic for the activity page');
  await clientFor(suite.local.runtime.apiUrl, 'outsider')
    .encrypt(keyId, 'refused')
    .catch(() => undefined);
}, 120_000);

// Without motion, axe measures a modal's colours as it stays, not halfway through its fade-in.
const signIn = () => suite.signIn({ reducedMotion: 'reduce' });

async function expectAccessible(page: Page, what: string): Promise<void> {
  const violations = await seriousViolations(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

async function openKey(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'orders', exact: true }).click();
  await page.getByRole('heading', { name: 'orders', level: 1 }).waitFor();
}

describe('axe-core finds no serious or critical violation', () => {
  it('on the keys page', async () => {
    const page = await signIn();
    await page.getByRole('link', { name: 'orders', exact: true }).waitFor();
    await expectAccessible(page, 'keys');
  });

  it('on each tab of the key page, and its modals', async () => {
    const page = await signIn();
    await openKey(page);
    for (const name of ['Versions', 'Key policy', 'Grants', 'Tags', 'Test your access'] as const) {
      await openTab(page, name);
      await page.getByRole('tabpanel', { name }).waitFor();
      if (name === 'Grants') await page.getByRole('table', { name: 'Grants' }).getByText('teammate-decrypts').waitFor();
      await expectAccessible(page, `key page, ${name}`);
    }
    await openTab(page, 'Grants');
    await page.getByRole('button', { name: 'Create grant' }).click();
    await page.getByRole('dialog', { name: 'Create grant' }).waitFor();
    await expectAccessible(page, 'create grant modal');
    await page.keyboard.press('Escape');
    await keyAction(page, 'Schedule key deletion');
    await page.getByRole('dialog', { name: 'Schedule key deletion' }).waitFor();
    await expectAccessible(page, 'schedule deletion modal');
  });

  it('on each step of the create wizard', async () => {
    const page = await signIn();
    await page.getByRole('link', { name: 'Create key' }).click();
    for (const heading of ['Key details', 'Tags', 'Key administrators', 'Key users', 'Alias and description']) {
      await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
      await expectAccessible(page, `create wizard, ${heading}`);
      if (heading !== 'Alias and description') await page.getByRole('button', { name: 'Next', exact: true }).click();
    }
  });

  it('on the master key page', async () => {
    const page = await signIn();
    await openFromNavigation(page, 'Master key');
    await page.getByRole('heading', { name: 'Master key', level: 1 }).waitFor();
    await page.getByText('Enabled', { exact: true }).first().waitFor();
    await expectAccessible(page, 'master key');
  });

  it('on the activity page, with records and the chart', async () => {
    const page = await signIn();
    await openFromNavigation(page, 'Activity');
    await page.getByRole('table', { name: 'Audit records' }).getByText('AccessDenied').first().waitFor();
    await expectAccessible(page, 'activity');
  });
});

describe('the keyboard alone', () => {
  it('opens the create wizard from the keys page, types the alias and steps on with Enter', async () => {
    const page = await signIn();
    await tabTo(page, page.getByRole('link', { name: 'Create key' }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Key details' }).waitFor();
    await page.keyboard.type('typed-by-keyboard');
    expect(await page.getByRole('textbox', { name: 'Alias', exact: true }).inputValue()).toBe('typed-by-keyboard');
    await tabTo(page, page.getByRole('button', { name: 'Next', exact: true }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Tags', exact: true }).waitFor();
  });

  it('opens the key actions menu with Space, a modal with Enter, and Escape closes it without a change', async () => {
    const page = await signIn();
    await tabTo(page, page.getByRole('link', { name: 'orders', exact: true }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'orders', level: 1 }).waitFor();
    await tabTo(page, page.getByRole('button', { name: 'Key actions' }));
    await page.keyboard.press('Space');
    await page.getByRole('menuitem', { name: 'Disable' }).waitFor();
    // The menu opens on its first item; Down and Up move through the items the state allows.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    expect(await page.getByRole('menuitem', { name: 'Disable' }).getAttribute('tabindex')).toBe('0');
    await page.keyboard.press('Enter');
    const modal = page.getByRole('dialog', { name: 'Disable key' });
    await modal.waitFor();
    await page.keyboard.press('Escape');
    await modal.waitFor({ state: 'hidden' });
    expect((await clientFor(suite.local.runtime.apiUrl, 'owner').getKey(keyId)).state).toBe('Enabled');
  });

  it('switches the identity from the top bar’s menu', async () => {
    const page = await signIn();
    await tabTo(page, page.getByRole('button', { name: 'Acting as owner: choose another local identity' }));
    await page.keyboard.press('Enter');
    await page.getByRole('menuitemcheckbox', { name: /^teammate\b/ }).waitFor();
    // The menu opens on its first identity, owner; the teammate is the next one down.
    const teammate = page.getByRole('menuitemcheckbox', { name: /^teammate\b/ });
    expect(await teammate.getAttribute('tabindex')).toBe('-1');
    await page.keyboard.press('ArrowDown');
    expect(await teammate.getAttribute('tabindex')).toBe('0');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Acting as teammate: choose another local identity' }).waitFor();
  });
});
