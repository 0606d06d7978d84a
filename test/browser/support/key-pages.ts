import type { Locator, Page } from 'playwright-core';
import { principal, type PrincipalName } from '../../support/principals.js';

export interface KeyToCreate {
  readonly alias: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Local identities made users of the key, picked from the wizard's suggestions. */
  readonly users?: readonly PrincipalName[];
}

/** Creates a key through the create wizard, from the keys page, and waits for its page; answers its id. */
export async function createKeyWithWizard(page: Page, key: KeyToCreate): Promise<string> {
  await page.getByRole('link', { name: 'Create key' }).click();
  await page.getByRole('heading', { name: 'Key details' }).waitFor();
  await page.getByRole('textbox', { name: 'Alias', exact: true }).fill(key.alias);
  if (key.description) await page.getByRole('textbox', { name: 'Description', exact: true }).fill(key.description);
  await next(page, 'Tags');
  for (const [index, [name, value]] of Object.entries(key.tags ?? {}).entries()) {
    await page.getByRole('button', { name: 'Add new tag' }).click();
    await page.getByPlaceholder('Enter key').nth(index).fill(name);
    await page.getByPlaceholder('Enter value').nth(index).fill(value);
  }
  await next(page, 'Key administrators');
  await next(page, 'Key users');
  for (const [index, user] of (key.users ?? []).entries()) {
    await page.getByRole('button', { name: 'Add key user' }).click();
    await pickIdentity(page.getByPlaceholder('arn:aws:iam::111122223333:role/Team').nth(index), user);
  }
  await next(page, 'Alias and description');
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.waitForURL(/\/keys\/[^/]+$/);
  await page.getByRole('heading', { name: key.alias, level: 1 }).waitFor();
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
}

async function next(page: Page, heading: string): Promise<void> {
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
}

/** Types a local identity's name into an ARN field and picks it from the suggestions, as a user would. */
export async function pickIdentity(field: Locator, name: PrincipalName): Promise<void> {
  await field.fill(name);
  await field
    .page()
    .getByRole('option', { name: new RegExp(`^${name}\\b`) })
    .click();
  const value = await field.inputValue();
  if (value !== principal(name).arn) throw new Error(`The ARN field holds ${value}, not ${name}'s ARN`);
}

export async function openTab(page: Page, tab: 'Versions' | 'Key policy' | 'Grants' | 'Tags' | 'Test your access'): Promise<void> {
  await page.getByRole('tab', { name: tab }).click();
}

export type EncryptOutcome = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly text: string };

/** Encrypts a text in the "Test your access" panel and answers what the panel then shows: the success, or the refusal with its message. */
export async function encryptInPanel(page: Page, text: string): Promise<EncryptOutcome> {
  await page.getByRole('textbox', { name: 'Plaintext to encrypt' }).fill(text);
  const success = page.getByRole('group').filter({ hasText: /^Encrypted with version \d+/ });
  const refusal = page.getByRole('group').filter({ hasText: /^Encrypt refused/ });
  // The click hides any earlier outcome at once (React flushes a click's update before it returns).
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await success.or(refusal).first().waitFor();
  if (await success.isVisible()) return { ok: true, text: (await success.textContent()) ?? '' };
  return { ok: false, text: (await refusal.textContent()) ?? '' };
}

/** Chooses an item of the key page's "Key actions" menu. */
export async function keyAction(
  page: Page,
  action: 'Disable' | 'Enable' | 'Rotate now' | 'Schedule key deletion' | 'Cancel key deletion',
): Promise<void> {
  await page.getByRole('button', { name: 'Key actions' }).click();
  await page.getByRole('menuitem', { name: action }).click();
}

/** The key's state as its page's header shows it. */
export function keyState(page: Page, label: string): Locator {
  return page.getByRole('main').getByText(label, { exact: true }).first();
}
