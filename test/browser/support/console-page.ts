import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';

/**
 * What went wrong in a page that a user would not see as an answer of the API: a script error, a
 * Content-Security-Policy violation (the console must need no inline script or style), any other
 * console error. The API's own refusals (a 4xx under /api/ or /console/, which the page shows) are not.
 */
export class PageProblems {
  readonly found: string[] = [];

  constructor(page: Page) {
    page.on('pageerror', (error) => this.found.push(`page error: ${error.stack ?? error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !isApiRefusal(message)) this.found.push(`console error: ${message.text()} (${message.location().url})`);
    });
  }

  /** Throws with every problem seen; call it once the page's work is done. */
  assertNone(): void {
    if (this.found.length > 0) throw new Error(`The console's page reported ${this.found.length} problem(s):\n${this.found.join('\n')}`);
  }
}

function isApiRefusal(message: ConsoleMessage): boolean {
  const status = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(message.text())?.[1];
  if (status === undefined || Number(status) >= 500) return false;
  const { pathname } = new URL(message.location().url);
  return pathname.startsWith('/api/') || pathname.startsWith('/console/');
}

export interface ConsoleTab {
  readonly page: Page;
  readonly problems: PageProblems;
}

/** Opens the printed URL (token exchanged for the session cookie) and waits for the keys page. */
export async function openConsole(context: BrowserContext, url: string): Promise<ConsoleTab> {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const problems = new PageProblems(page);
  await page.goto(url);
  if (new URL(page.url()).searchParams.has('token')) throw new Error(`The token stayed in the address bar: ${page.url()}`);
  await page
    .getByRole('heading', { name: /^Keys \(/, level: 1 })
    .waitFor()
    .catch(async (error: Error) => {
      throw new Error(`${error.message}\nThe page shows: ${await page.locator('body').textContent()}\n${problems.found.join('\n')}`);
    });
  return { page, problems };
}

const identityMenu = (page: Page) => page.getByRole('button', { name: /^Acting as \S+: choose another local identity$/ });

/** Picks a local identity in the top bar's "Acting as" menu, as a user does, and waits until the bar names it. */
export async function actAs(page: Page, name: string): Promise<void> {
  await identityMenu(page).click();
  await page.getByRole('menuitemcheckbox', { name: new RegExp(`^${name}\\b`) }).click();
  await page.getByRole('button', { name: `Acting as ${name}: choose another local identity` }).waitFor();
}

/** Goes to a console page through the side navigation. */
export async function openFromNavigation(page: Page, link: 'Keys' | 'Activity' | 'Master key'): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
}
