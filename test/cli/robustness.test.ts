import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEncryptStream, type KeyMetadata } from '../../packages/client/src/index.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor } from '../support/principals.js';
import { builtCli, envelope, shell, userEnv } from './cli-support.js';

/**
 * The CLI where a hostile user pushes it: stdout that cannot be written, signals, a directory
 * where a file was expected, a forged file header, an endpoint that answers nonsense, repeated
 * options. Each case exits with its documented code and one line on stderr, never a stack.
 */
const runtime = runtimeForFile({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0', POWERTOOLS_METRICS_DISABLED: 'true' });
let main: string;
let work: string;

beforeAll(async () => {
  main = await builtCli();
  work = await mkdtemp(join(tmpdir(), 'envelope-cli-robust-'));
}, 120_000);

const env = () => userEnv(runtime().apiUrl, 'owner');
const run = (args: readonly string[], input?: Buffer | string, cwd = work) => envelope(main, args, { env: env(), input, cwd });
const sh = (script: string, cwd = work) => shell(main, script, { env: env(), cwd });
const oneLineError = (stderr: string, code: string) => {
  expect(stderr).toMatch(new RegExp(`^error: ${code}: \\S[^\\n]*\\n$`));
  expect(stderr).not.toMatch(/\n\s+at /);
};

async function createKey(...args: string[]): Promise<KeyMetadata> {
  const { code, stdout, stderr } = await run(['keys', 'create', '-o', 'json', ...args]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout.toString()) as KeyMetadata;
}

describe('stdout that cannot be written', () => {
  it('exits 3 with one line for ENOSPC (a full disk) and EPIPE (a reader that went away), whatever the command', async () => {
    const key = await createKey();
    for (const command of [`envelope encrypt -k ${key.keyId} hello`, 'envelope -o json keys list', 'envelope master-key']) {
      const full = await sh(`${command} > /dev/full`);
      expect(full.code, command).toBe(3);
      oneLineError(full.stderr, 'ENOSPC');
    }
    const token = (await run(['encrypt', '-k', key.keyId, '-'], randomBytes(2 * 1024 * 1024))).stdout.toString().trim();
    await writeFile(join(work, 'big.token'), token);
    const decryptFull = await sh('envelope decrypt < big.token > /dev/full');
    expect(decryptFull.code).toBe(3);
    oneLineError(decryptFull.stderr, 'ENOSPC');
    // pipefail: the status is envelope's, not head's.
    const closed = await sh('envelope decrypt < big.token | head -c1 > /dev/null');
    expect(closed.code).toBe(3);
    oneLineError(closed.stderr, 'EPIPE');
    const closedBase64 = await sh('envelope decrypt --base64 < big.token | head -c1 > /dev/null');
    expect(closedBase64.code).toBe(3);
    oneLineError(closedBase64.stderr, 'EPIPE');
    // As decrypt-file to stdout already did.
    await writeFile(join(work, 'big.bin'), randomBytes(2 * 1024 * 1024));
    expect((await run(['encrypt-file', '-q', '-k', key.keyId, 'big.bin', 'big.env'])).code).toBe(0);
    const fileClosed = await sh('envelope decrypt-file big.env - | head -c1 > /dev/null');
    expect(fileClosed.code).toBe(3);
    oneLineError(fileClosed.stderr, 'EPIPE');
  });
});

describe('help nobody reads', () => {
  it('is no failure: `envelope --help | true` exits 0 with nothing on stderr, as does --version', async () => {
    for (const command of ['envelope --help | true', 'envelope keys --help | true', 'envelope --version | true']) {
      const { code, stderr } = await sh(command);
      expect(stderr, command).toBe('');
      expect(code, command).toBe(0);
    }
  });
});

describe('signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGHUP', 129],
    ['SIGTERM', 143],
  ] as const)('on %s exits %i (128 + its number) and removes the partial plaintext it was writing', async (signal, exitCode) => {
    const key = await createKey();
    const dir = await mkdtemp(join(tmpdir(), 'envelope-cli-signal-'));
    await writeFile(join(dir, 'in'), randomBytes(3 * 1024 * 1024));
    expect((await run(['encrypt-file', '-q', '-k', key.keyId, 'in', 'in.env'], undefined, dir)).code).toBe(0);
    const encrypted = await readFile(join(dir, 'in.env'));

    const child = spawn(process.execPath, [main, 'decrypt-file', '-', 'out'], { env: env(), cwd: dir, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    child.stdin.on('error', () => {});
    child.stdin.write(encrypted.subarray(0, encrypted.length / 2));
    const deadline = Date.now() + 20_000;
    let partial: string | undefined;
    while (Date.now() < deadline) {
      partial = (await readdir(dir)).find((name) => name.endsWith('.partial'));
      if (partial && (await stat(join(dir, partial))).size > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(partial).toMatch(/^\.out\.[0-9a-f]+\.partial$/);
    child.kill(signal);
    expect(await closed).toBe(exitCode);
    oneLineError(stderr, 'Interrupted');
    expect(stderr).toContain(signal);
    expect((await readdir(dir)).sort()).toEqual(['in', 'in.env']);
  });
});

describe('a directory where a file is expected', () => {
  it('refuses a directory on stdin (EISDIR, exit 3) instead of reading it as empty input', async () => {
    const key = await createKey();
    await mkdir(join(work, 'a-dir'), { recursive: true });
    for (const command of [`envelope encrypt -k ${key.keyId}`, `envelope encrypt-file -k ${key.keyId} - from-dir.env`, 'envelope decrypt']) {
      const result = await sh(`${command} < a-dir`);
      expect(result.code, command).toBe(3);
      expect(result.stdout.length).toBe(0);
      oneLineError(result.stderr, 'EISDIR');
    }
    expect(await readdir(work)).not.toContain('from-dir.env');
  });

  it('refuses a directory as IN or OUT before any API call, writing nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envelope-cli-dirs-'));
    await mkdir(join(dir, 'sub', 'outdir'), { recursive: true });
    await writeFile(join(dir, 'sub', 'in'), randomBytes(100_000));
    // The key does not exist: an API call would answer KeyNotFound (exit 1).
    for (const args of [
      ['encrypt-file', '-k', 'alias/no-such-key', 'in', 'outdir'],
      ['encrypt-file', '-k', 'alias/no-such-key', 'outdir', 'x.env'],
      ['decrypt-file', 'outdir', 'x.out'],
      ['decrypt-file', 'in', 'outdir'],
    ]) {
      const result = await run(args, undefined, join(dir, 'sub'));
      expect(result.code, args.join(' ')).toBe(3);
      oneLineError(result.stderr, 'EISDIR');
    }
    expect((await readdir(join(dir, 'sub'))).sort()).toEqual(['in', 'outdir']);
    expect(await readdir(join(dir, 'sub', 'outdir'))).toEqual([]);
    expect(await readdir(dir)).toEqual(['sub']);
  });
});

describe('a forged file header', () => {
  it("refuses (exit 4) a file whose header names another key or version than its data key's, leaving no output", async () => {
    const victim = await createKey();
    const real = await createKey();
    const owner = clientFor(runtime().apiUrl, 'owner');
    const forge = async (keyId: string, keyVersion: number) => {
      const dataKey = await owner.generateDataKey(real.keyId);
      expect(dataKey.keyId).toBe(real.keyId);
      const stream = createEncryptStream({ dataKey: dataKey.plaintextKey!, encryptedKey: dataKey.encryptedKey, keyId, keyVersion });
      return buffer(Readable.from([Buffer.from('claims another key')]).pipe(stream));
    };
    const dir = await mkdtemp(join(tmpdir(), 'envelope-cli-forged-'));
    await writeFile(join(dir, 'other-key.env'), await forge(victim.keyId, 1));
    await writeFile(join(dir, 'other-version.env'), await forge(real.keyId, 7));
    await writeFile(join(dir, 'honest.env'), await forge(real.keyId, 1));
    for (const name of ['other-key.env', 'other-version.env']) {
      const result = await run(['decrypt-file', name, 'out'], undefined, dir);
      expect(result.code, name).toBe(4);
      oneLineError(result.stderr, 'InvalidCiphertext');
      const toStdout = await run(['decrypt-file', name, '-'], undefined, dir);
      expect(toStdout.code, name).toBe(4);
      expect(toStdout.stdout.length).toBe(0);
    }
    expect((await readdir(dir)).sort()).toEqual(['honest.env', 'other-key.env', 'other-version.env']);
    const honest = await run(['decrypt-file', 'honest.env', '-'], undefined, dir);
    expect(honest.code).toBe(0);
    expect(honest.stdout.toString()).toBe('claims another key');
  });
});

describe('an endpoint that is not the API', () => {
  it('sends its User-Agent, signed, and reports an answer of the wrong shape as InvalidResponse (exit 1)', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url?.startsWith('/v1/keys') ? { keys: 5 } : { hello: 'world' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const other = { env: userEnv(endpoint, 'owner'), cwd: work };
      const list = await envelope(main, ['keys', 'list'], other);
      expect(list.code).toBe(1);
      oneLineError(list.stderr, 'InvalidResponse');
      expect(list.stderr).not.toMatch(/iterable|TypeError|InternalError/);
      const decrypt = await envelope(main, ['decrypt', 'ev2.abc'], other);
      expect(decrypt.code).toBe(1);
      oneLineError(decrypt.stderr, 'InvalidResponse');

      const version = (await envelope(main, ['--version'], other)).stdout.toString().trim();
      expect(seen.length).toBeGreaterThan(0);
      for (const headers of seen) {
        expect(headers['user-agent']).toBe(`envelope-client/${version} envelope-cli/${version}`);
        expect(headers.authorization).toMatch(/SignedHeaders=[^,]*\buser-agent\b/);
      }
    } finally {
      server.close();
    }
  });
});

describe('repeated options', () => {
  it('refuses a --context or --tag key given twice (exit 2, naming it) instead of keeping the last value', async () => {
    for (const args of [
      ['encrypt', '-k', 'alias/x', '-c', 'tenant=1', '-c', 'tenant=2', 'v'],
      ['decrypt', '--context', 'tenant=a', '--context', 'tenant=a', 'ev2.x'],
      ['encrypt-file', '-k', 'alias/x', '-c', 'file=a', '-c', 'other=b', '-c', 'file=c', 'in', 'out'],
      ['keys', 'create', '--tag', 'team=a', '--tag', 'team=b'],
    ]) {
      const { code, stdout, stderr } = await run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout.length).toBe(0);
      expect(stderr, args.join(' ')).toMatch(/^error: [^\n]*"(tenant|file|team)" is given twice[^\n]*\n$/);
    }
    // Distinct keys are still fine.
    const key = await createKey('--tag', 'team=a', '--tag', 'env=prod');
    expect(key.tags).toEqual({ team: 'a', env: 'prod' });
  });
});
