import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { request } from 'node:http';
import type { Readable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleSession, PAGE_KEY_FRAGMENT, PAGE_KEY_HEADER } from '../../packages/client/src/console/protocol.js';
import type { KeyPage } from '../../packages/client/src/index.js';
import { builtCli, userEnv } from '../cli/cli-support.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor, principal } from '../support/principals.js';

/** `envelope console` as a user runs it: the built CLI in a child process, against the local runtime, never opening a browser. */
const runtime = runtimeForFile({ POWERTOOLS_METRICS_DISABLED: 'true' });
let main: string;
let child: ChildProcessByStdio<null, Readable, Readable> | undefined;

beforeAll(async () => {
  main = await builtCli();
}, 120_000);
afterEach(() => {
  if (child?.exitCode === null) child.kill();
});

function startConsole(args: readonly string[], { withCredentials = true } = {}) {
  child = spawn(process.execPath, [main, 'console', '--no-open', ...args], {
    env: userEnv(runtime().apiUrl, withCredentials ? 'owner' : undefined),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
  const url = new Promise<URL>((resolve, reject) => {
    let stdout = '';
    child!.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const found = /^Envelope console: (\S+)\n/.exec(stdout);
      if (found) resolve(new URL(found[1]!));
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  url.catch(() => {}); // awaited by the tests that expect a URL
  return { url, exited, stderr: () => stderr };
}

function get(url: URL, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; session: Record<string, string>; text: string }>((resolve, reject) => {
    request(url, { headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk));
      // What the browser keeps from a sign-in: the cookie, and the page key in the redirect's fragment.
      const cookie = res.headers['set-cookie']?.[0]?.split(';')[0] ?? '';
      const key = new URLSearchParams(new URL(res.headers.location ?? '/', url).hash.slice(1)).get(PAGE_KEY_FRAGMENT) ?? '';
      res.on('end', () => resolve({ status: res.statusCode ?? 0, session: { cookie, [PAGE_KEY_HEADER]: key }, text }));
    })
      .on('error', reject)
      .end();
  });
}

describe('envelope console', () => {
  it("prints a URL that opens a session, in which the API answers as the user's credentials sign", async () => {
    const created = await clientFor(runtime().apiUrl, 'owner').createKey({ alias: 'from-the-cli' });
    const run = startConsole([]);
    const url = await run.url;
    expect(url.hostname).toBe('127.0.0.1');
    await expect.poll(run.stderr).toContain('It stops after 30 min without a request');
    const { status, session } = await get(url);
    expect(status).toBe(303);
    const keys = await get(new URL('/api/v1/keys?limit=100', url), session);
    expect(keys.status).toBe(200);
    expect((JSON.parse(keys.text) as KeyPage).keys.map((key) => key.keyId)).toContain(created.keyId);
    // Whose credentials sign, shown on every page: the access key id, its middle masked; never the secret.
    const described = JSON.parse((await get(new URL('/console/session', url), session)).text) as ConsoleSession;
    const { accessKeyId, secretAccessKey } = principal('owner');
    expect(described.signer).toBe(`${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}`);
    expect(JSON.stringify(described)).not.toContain(secretAccessKey);
    const page = await get(new URL('/', url), session);
    expect(page.status).toBe(404);
    expect(JSON.parse(page.text)).toMatchObject({ error: { code: 'NotFound', message: expect.stringContaining('not built') } });
  });

  it('stops by itself after the idle period, and says so', async () => {
    const run = startConsole(['--idle-minutes', '0.005']);
    await run.url;
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toContain('Stopped after 0.005 min without a request.');
  });

  it('refuses a port that is not one, as a usage error', async () => {
    const run = startConsole(['--port', '70000']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('Expected a port');
  });

  it('stops at once, as every command does, when there are no credentials to sign with', async () => {
    const run = startConsole([], { withCredentials: false });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('NoCredentials');
  });

  it('refuses an idle period longer than a week, which a timer would turn into none at all', async () => {
    const run = startConsole(['--idle-minutes', '40000']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('at most 10080 (a week)');
  });
});
