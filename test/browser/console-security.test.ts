import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PAGE_KEY_HEADER } from '../../packages/client/src/console/protocol.js';
import { PAGE_KEY_STORAGE } from '../../packages/console/src/api/page-key.js';
import { clientFor } from '../support/principals.js';
import { launchChromium, VIEWPORT } from './support/chromium.js';
import { type ConsoleTab, openConsole } from './support/console-page.js';
import { type LocalConsole, startLocalConsole } from './support/local-console.js';
import type { PageDocument, PageWindow } from './support/page-globals.js';

declare const document: PageDocument;
declare const window: PageWindow;

/**
 * The console's localhost server refuses, as a real browser meets it: no token, a wrong token, a
 * foreign page's state change, a foreign Host (DNS rebinding), a path outside the API, inline script.
 */
// A browser's steps against npm start take seconds each; the suite's other files share the machine's 2 cores.
vi.setConfig({ testTimeout: 180_000 });
const FOREIGN_NAME = 'evil.example';

let local: LocalConsole;
let browser: Browser;
let foreign: Server;
let foreignOrigin: string;
/** The `Cookie` header of each request the other site's server received. */
const foreignCookies: string[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  local = await startLocalConsole();
  // DNS rebinding, as an attacker's name that resolves to 127.0.0.1 would look to the console.
  browser = await launchChromium([`--host-resolver-rules=MAP ${FOREIGN_NAME} 127.0.0.1`]);
  foreign = createServer((request, response) => {
    if (request.headers.cookie !== undefined) foreignCookies.push(request.headers.cookie);
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Another site</title><h1>Another site</h1>');
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => foreign?.close(resolve));
  await local?.stop();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

async function freshContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  contexts.push(context);
  return context;
}

async function signedIn(): Promise<ConsoleTab> {
  return openConsole(await freshContext(), local.url);
}

const owner = () => clientFor(local.runtime.apiUrl, 'owner');

async function ownersKeyDescriptions(): Promise<string[]> {
  const page = await owner().listKeys();
  return page.keys.map((key) => ('description' in key ? (key.description ?? '') : ''));
}

/** What a signed-in page holds: the session cookie (from the browser's jar) and the page key (from its localStorage). */
async function sessionOf(page: Page): Promise<Record<string, string>> {
  const [cookie] = await page.context().cookies(local.origin);
  const key = await page.evaluate((name) => window.localStorage.getItem(name), PAGE_KEY_STORAGE);
  return { cookie: `${cookie!.name}=${cookie!.value}`, [PAGE_KEY_HEADER]: key ?? '' };
}

/** One raw request: a browser cannot be made to send another Host, or a path with `..` in it. */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; text: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: local.port, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, type: String(res.headers['content-type']) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the printed token', () => {
  it('without it, the console is a 401 page that says to open the URL npm start printed, and no page of it loads', async () => {
    const page = await (await freshContext()).newPage();
    for (const path of ['/', '/keys', '/api/v1/keys']) {
      const response = await page.goto(`${local.origin}${path}`);
      expect(response?.status()).toBe(401);
      expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
      expect(await page.getByRole('paragraph').textContent()).toBe('No console session: open the URL `npm start` printed.');
    }
  });

  it('a wrong token is refused with a 403 and gives no session', async () => {
    const page = await (await freshContext()).newPage();
    const wrong = `${local.origin}/?token=${'A'.repeat(43)}`;
    const refused = await page.goto(wrong);
    expect(refused?.status()).toBe(403);
    expect(await page.locator('body').textContent()).toContain("The token is not this run's");
    expect(page.url()).toBe(wrong);
    expect((await page.goto(`${local.origin}/keys`))?.status()).toBe(401);
  });

  it('the right one opens the keys page, leaves the address bar, and becomes a cookie no script can read', async () => {
    const { page, problems } = await signedIn();
    expect(page.url()).toBe(`${local.origin}/`);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await page.context().cookies(local.origin);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict', domain: '127.0.0.1' });
    problems.assertNone();
  });
});

describe("another site's page in the same browser", () => {
  it('cannot create a key: the console refuses its POST for its Origin, though the browser sent the session cookie', async () => {
    const { page: consolePage, problems } = await signedIn();
    const page = await consolePage.context().newPage();
    await page.goto(foreignOrigin);
    await page.getByRole('heading', { name: 'Another site' }).waitFor();
    const target = `${local.origin}/api/v1/keys`;
    const answered = page.waitForResponse((response) => response.url() === target && response.request().method() === 'POST');
    // A "simple" request (text/plain, no-cors): the browser sends it without asking first, and hides the answer.
    const outcome = await page.evaluate(
      (url) =>
        fetch(url, {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
          headers: { 'content-type': 'text/plain' },
          body: '{"description":"planted by another site"}',
        }).then(
          (response) => response.type,
          (error: Error) => `failed: ${error.message}`,
        ),
      target,
    );
    expect(outcome).toBe('opaque');
    const response = await answered;
    expect(response.status()).toBe(403); // not 401: the cookie went along, SameSite=Strict notwithstanding (same site, other port)

    // A form posted to the console (text/plain, its body JSON): the browser shows the refusal.
    await page.evaluate((url) => {
      const form = Object.assign(document.createElement('form'), { method: 'POST', action: url, enctype: 'text/plain' });
      const field = Object.assign(document.createElement('input'), { type: 'hidden', name: '{"description":"planted by a form","x":"', value: '"}' });
      form.append(field);
      document.body.append(form);
      form.submit();
    }, target);
    await page.waitForURL(target);
    expect(await page.locator('body').textContent()).toContain("A change must come from the console's own pages.");

    // A JSON POST needs the browser's preflight, which the console never answers with CORS: the call fails.
    await page.goto(foreignOrigin);
    const json = await page.evaluate(
      (url) =>
        fetch(url, {
          method: 'POST',
          credentials: 'include',
          headers: { 'content-type': 'application/json' },
          body: '{"description":"planted by another site"}',
        }).then(
          (response) => `answered ${response.status}`,
          (error: Error) => `failed: ${error.name}`,
        ),
      target,
    );
    expect(json).toBe('failed: TypeError');

    // The same request from the console's own page, with the page key it holds, creates the key: the refusal above is the Origin's.
    const own = await consolePage.evaluate(
      ([header, storage]) =>
        fetch('/api/v1/keys', {
          method: 'POST',
          headers: { 'content-type': 'text/plain', [header]: window.localStorage.getItem(storage) ?? '' },
          body: '{"description":"created by the console itself"}',
        }).then((response) => response.status),
      [PAGE_KEY_HEADER, PAGE_KEY_STORAGE] as const,
    );
    expect(own).toBe(201);
    const descriptions = await ownersKeyDescriptions();
    expect(descriptions).toContain('created by the console itself');
    expect(descriptions).not.toContain('planted by another site');
    expect(descriptions).not.toContain('planted by a form');
    problems.assertNone();
  });
});

describe('a foreign Host (DNS rebinding)', () => {
  it('a name other than 127.0.0.1 or localhost that resolves here gets a 421, even with the token', async () => {
    const page = await (await freshContext()).newPage();
    const url = new URL(local.url);
    url.hostname = FOREIGN_NAME;
    const response = await page.goto(url.href);
    expect(response?.status()).toBe(421);
    expect(await page.locator('body').textContent()).toContain('This server answers only to 127.0.0.1 and localhost, with its port.');
    expect(await page.context().cookies()).toEqual([]);
  });

  it('a request with the session cookie and page key but Host evil.example is refused the same', async () => {
    const { page } = await signedIn();
    const session = await sessionOf(page);
    expect((await rawGet('/api/v1/keys', { host: `127.0.0.1:${local.port}`, ...session })).status).toBe(200);
    const refused = await rawGet('/api/v1/keys', { host: `${FOREIGN_NAME}:${local.port}`, ...session });
    expect(refused.status).toBe(421);
  });
});

describe('another web server on 127.0.0.1', () => {
  it('receives the session cookie, as browsers do not keep cookies apart by port, but cannot use it: calls need the page key', async () => {
    const { page: consolePage } = await signedIn();
    const page = await consolePage.context().newPage();
    await page.goto(foreignOrigin);
    await page.getByRole('heading', { name: 'Another site' }).waitFor();
    const stolen = foreignCookies.at(-1);
    expect(stolen).toContain(`envelope-console-${local.port}=`);
    // Replayed from outside a browser, with the right Host and Origin: still refused.
    const headers = { host: `127.0.0.1:${local.port}`, origin: local.origin, cookie: stolen! };
    const reply = await rawGet('/api/v1/keys', headers);
    expect(reply.status).toBe(401);
    expect(await page.evaluate((name) => window.localStorage.getItem(name), PAGE_KEY_STORAGE)).toBeNull();
    expect((await rawGet('/api/v1/keys', { ...headers, ...(await sessionOf(consolePage)) })).status).toBe(200);
  });
});

describe('paths outside the API', () => {
  it('are a 404 under /api/, never forwarded', async () => {
    const { page } = await signedIn();
    const headers = { host: `127.0.0.1:${local.port}`, ...(await sessionOf(page)) };
    for (const path of ['/api/v2/x', '/api/v1/keys/x/unknown', '/api/http://evil.example/']) {
      const reply = await rawGet(path, headers);
      expect(reply.status, path).toBe(404);
      expect(JSON.parse(reply.text), path).toMatchObject({ error: { code: 'NotFound' } });
    }
  });

  it('/api/../ leaves the API and reads no file outside the console', async () => {
    const { page } = await signedIn();
    const headers = { host: `127.0.0.1:${local.port}`, ...(await sessionOf(page)) };
    for (const path of ['/api/../etc/passwd', '/api/%2e%2e/%2e%2e/etc/passwd', '/%2e%2e/package.json']) {
      const reply = await rawGet(path, headers);
      expect(reply.text, path).not.toContain('root:x:0');
      expect(reply.text, path).not.toContain('"workspaces"');
      // The console's own page (its not-found view) or a 404; never the API's JSON nor a file's bytes.
      if (reply.status === 200) expect(reply.type, path).toContain('text/html');
      else expect(reply.status, path).toBe(404);
    }
  });
});

describe('the Content-Security-Policy', () => {
  it('stops an inline script injected into the page, and the page watcher reports the violation', async () => {
    const { page, problems } = await signedIn();
    const ran = await page.evaluate(async () => {
      const violation = new Promise<string>((resolve) =>
        document.addEventListener('securitypolicyviolation', (event) => resolve(event.violatedDirective)),
      );
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.head.append(script);
      return { directive: await violation, injected: window.injected === true };
    });
    expect(ran).toEqual({ directive: 'script-src-elem', injected: false });
    await expect.poll(() => problems.found.join('\n')).toContain('Content Security Policy');
    expect(() => problems.assertNone()).toThrow(/Content Security Policy/);
  });
});
