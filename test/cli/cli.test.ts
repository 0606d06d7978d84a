import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyMetadata, KeyPage, MasterKeyStatus, RotatedKey, SealedResult as SealedValue } from '../../packages/client/src/index.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { principal, type PrincipalName } from '../support/principals.js';
import { builtCli, envelope, PACKAGE_BIN, ROOT, sha256, shell, userEnv } from './cli-support.js';

/**
 * The `envelope` CLI driven as a user drives it: the built program in child processes, against
 * the local runtime, with a local principal's credentials in the environment.
 */
// No key cache, so that a policy change or a rotation shows in the very next command.
const runtime = runtimeForFile({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0', POWERTOOLS_METRICS_DISABLED: 'true' });
let main: string;
let dir: string;
const { version } = JSON.parse(readFileSync(join(ROOT, 'packages/client/package.json'), 'utf8')) as { version: string };

beforeAll(async () => {
  main = await builtCli();
  dir = await mkdtemp(join(tmpdir(), 'envelope-cli-'));
}, 120_000);

const as = (name: PrincipalName, args: readonly string[], input?: Buffer | string) =>
  envelope(main, args, { env: userEnv(runtime().apiUrl, name), input, cwd: dir });
const json = <T>(stdout: Buffer): T => JSON.parse(stdout.toString()) as T;
/** An error, as the CLI must print it: `error: <Code>: <message>`, one line, nothing else. */
const oneLineError = (stderr: string, code: string) => {
  expect(stderr).toMatch(new RegExp(`^error: ${code}: \\S[^\\n]*\\n$`));
  expect(stderr).not.toMatch(/\n\s+at /); // no stack
};

async function createKey(name: PrincipalName = 'owner', ...args: string[]): Promise<KeyMetadata> {
  const { code, stdout, stderr } = await as(name, ['keys', 'create', '--output', 'json', ...args]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return json<KeyMetadata>(stdout);
}

describe('the package bin', () => {
  it('is a node script that runs the built program', async () => {
    expect(main.endsWith(PACKAGE_BIN.slice(1))).toBe(true);
    expect((await readFile(main, 'utf8')).split('\n')[0]).toBe('#!/usr/bin/env node');
    // Run as an installed bin is, through its shebang, with this Node first on the PATH.
    await chmod(main, 0o755);
    const direct = await promisify(execFile)(main, ['--version'], {
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
    });
    expect(direct.stdout.trim()).toBe(version);
    const { code, stdout } = await envelope(main, ['--version'], { env: userEnv(undefined, undefined) });
    expect(code).toBe(0);
    expect(stdout.toString().trim()).toBe(version);
  });

  it('says how to build the program when it is not built, in one line, with exit 2', async () => {
    const unbuilt = await mkdtemp(join(tmpdir(), 'envelope-unbuilt-'));
    await mkdir(join(unbuilt, 'bin'));
    await copyFile(main, join(unbuilt, PACKAGE_BIN));
    const { code, stdout, stderr } = await envelope(join(unbuilt, PACKAGE_BIN), ['--help'], { env: userEnv(undefined, undefined) });
    expect(code).toBe(2);
    expect(stdout.toString()).toBe('');
    oneLineError(stderr, 'NotBuilt');
    expect(stderr).toContain('npm run build -w @envelope-api/client');
  });
});

describe('help and usage', () => {
  it('has --help with an example on every command, and the exit codes on the program', async () => {
    const commands = [
      [],
      ['keys'],
      ...[
        'create',
        'list',
        'show',
        'policy',
        'rotate',
        'disable',
        'enable',
        'schedule-deletion',
        'cancel-deletion',
        'retire-versions',
        'destroy-versions',
        'cancel-destroy',
      ].map((c) => ['keys', c]),
      ['encrypt'],
      ['decrypt'],
      ['rewrap'],
      ['encrypt-file'],
      ['decrypt-file'],
      ['rewrap-file'],
      ['rewrap-s3'],
      ['master-key'],
    ];
    const results = await Promise.all(commands.map((command) => envelope(main, [...command, '--help'], { env: userEnv(undefined, undefined) })));
    results.forEach(({ code, stdout }, i) => {
      expect(code, commands[i]!.join(' ')).toBe(0);
      expect(stdout.toString(), commands[i]!.join(' ')).toMatch(/\nExample:\n {2}\$ \S/);
    });
    expect(results[0]!.stdout.toString()).toMatch(
      /Exit codes:\n {2}0 {4}success\n {2}1 {4}\S.*\n {2}2 {4}\S.*\n {2}3 {4}\S.*\n {2}4 {4}\S.*\n {2}129 {2}\S.*SIGHUP.*\n {2}130 {2}\S.*SIGINT.*\n {2}143 {2}\S.*SIGTERM/,
    );
  });

  it('exits 2 on usage errors, with one line, before calling the API', async () => {
    for (const args of [
      ['keys', 'frobnicate'],
      ['keys', 'list', '--bogus'],
      ['encrypt', 'no key'],
      ['encrypt', '--key', 'alias/x', '--context', 'novalue', 'v'],
      ['keys', 'list', '--output', 'yaml'],
      ['keys', 'list', '--limit', 'many'],
      ['encrypt-file', 'only-one-argument'],
      ['encrypt-file', '-k', 'alias/x', 'same.bin', './same.bin'],
      ['encrypt-file', '-k', 'alias/x', '--frame-size', '10', 'a', 'b'],
    ]) {
      const { code, stdout, stderr } = await as('owner', args);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout.toString()).toBe('');
      expect(stderr, args.join(' ')).toMatch(/^error: [^\n]+\n$/);
    }
    const noEndpoint = await envelope(main, ['keys', 'list'], { env: userEnv(undefined, 'owner') });
    expect(noEndpoint.code).toBe(2);
    oneLineError(noEndpoint.stderr, 'UsageError');
    expect(noEndpoint.stderr).toContain('ENVELOPE_API_URL');
    const noCredentials = await envelope(main, ['keys', 'list'], { env: userEnv(runtime().apiUrl, undefined) });
    expect(noCredentials.code).toBe(2);
    oneLineError(noCredentials.stderr, 'NoCredentials');
    // A profile left in the shell wins over the keys beside it, and gives none: the message names it and the way out.
    const leftProfile = await envelope(main, ['keys', 'list'], { env: userEnv(runtime().apiUrl, 'owner', { AWS_PROFILE: 'left-over' }) });
    expect(leftProfile.code).toBe(2);
    const [warning, error, ...rest] = leftProfile.stderr.split('\n');
    expect(warning).toMatch(/^warning: .*Both AWS_PROFILE and the pair AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY static credentials are set/);
    oneLineError(`${error}\n`, 'NoCredentials');
    expect(error).toContain('"left-over" named in AWS_PROFILE');
    expect(error).toContain('unset AWS_PROFILE');
    expect(rest).toEqual(['']);
    // A profile that exists nowhere, with no keys beside it: the same message, and no warning.
    const empty = join(dir, 'empty-aws-file');
    await writeFile(empty, '');
    const noProfile = await envelope(main, ['keys', 'list'], {
      env: userEnv(runtime().apiUrl, undefined, { AWS_PROFILE: 'nonexistent', AWS_CONFIG_FILE: empty, AWS_SHARED_CREDENTIALS_FILE: empty }),
    });
    expect(noProfile.code).toBe(2);
    oneLineError(noProfile.stderr, 'NoCredentials');
    expect(noProfile.stderr).toContain('"nonexistent" named in AWS_PROFILE');
    expect(noProfile.stderr).toContain('unset AWS_PROFILE');
    // --profile stands for AWS_PROFILE: it signs with that profile's keys, and a missing one is named.
    const credentialsFile = join(dir, 'aws-credentials');
    const { accessKeyId, secretAccessKey } = principal('owner');
    await writeFile(credentialsFile, `[team]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`);
    const files = { AWS_CONFIG_FILE: empty, AWS_SHARED_CREDENTIALS_FILE: credentialsFile };
    const withProfile = await envelope(main, ['--profile', 'team', 'keys', 'list', '-o', 'json'], {
      env: userEnv(runtime().apiUrl, undefined, files),
    });
    expect(withProfile.stderr).toBe('');
    expect(withProfile.code).toBe(0);
    expect(JSON.parse(withProfile.stdout.toString())).toHaveProperty('keys');
    const missingProfile = await envelope(main, ['keys', 'list', '--profile', 'absent'], { env: userEnv(runtime().apiUrl, undefined, files) });
    expect(missingProfile.code).toBe(2);
    oneLineError(missingProfile.stderr, 'NoCredentials');
    expect(missingProfile.stderr).toContain('"absent" named in AWS_PROFILE (or --profile)');
    const { AWS_REGION: _, ...withoutRegion } = userEnv(runtime().apiUrl, 'owner');
    const noRegion = await envelope(main, ['keys', 'list'], { env: withoutRegion });
    expect(noRegion.code).toBe(2);
    oneLineError(noRegion.stderr, 'UsageError');
    expect(noRegion.stderr).toContain('AWS_REGION');
    const notUrl = await envelope(main, ['keys', 'list', '--endpoint', 'localhost port 3000'], { env: userEnv(undefined, 'owner') });
    expect(notUrl.code).toBe(2);
    oneLineError(notUrl.stderr, 'UsageError');
  });

  it('signs for AWS_DEFAULT_REGION when AWS_REGION is not set, as the AWS CLI does', async () => {
    const { AWS_REGION: region, ...withoutRegion } = userEnv(runtime().apiUrl, 'owner');
    const { code, stderr } = await envelope(main, ['keys', 'list'], { env: { ...withoutRegion, AWS_DEFAULT_REGION: region! }, cwd: dir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('keys', () => {
  it('creates, lists, shows, rotates, disables, enables, schedules and cancels the deletion of a key', async () => {
    const key = await createKey('owner', '--alias', 'cli-orders', '--description', 'orders', '--tag', 'team=payments');
    expect(key).toMatchObject({ alias: 'cli-orders', description: 'orders', state: 'Enabled', currentVersion: 1, tags: { team: 'payments' } });

    const table = await as('owner', ['keys', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout.toString()).toMatch(/^KEY ID +ALIAS +STATE +VERSION\n/);
    expect(table.stdout.toString()).toMatch(new RegExp(`${key.keyId} +cli-orders +Enabled +1`));
    const listed = await as('owner', ['--output', 'json', 'keys', 'list', '--tag', 'team:payments']);
    expect(json<KeyPage>(listed.stdout).keys.map((k) => k.keyId)).toEqual([key.keyId]);

    const shown = await as('owner', ['keys', 'show', 'alias/cli-orders']);
    expect(shown.code).toBe(0);
    expect(shown.stdout.toString()).toMatch(new RegExp(`^keyId +${key.keyId}\nalias +cli-orders\n`));
    expect(shown.stdout.toString()).toMatch(/\nadmins +arn:aws:iam::111122223333:user\/owner\n/);

    const rotated = await as('owner', ['keys', 'rotate', key.keyId, '-o', 'json']);
    expect(json<RotatedKey>(rotated.stdout)).toMatchObject({ keyId: key.keyId, createdVersion: 2, currentVersion: 2 });
    const rotatedTable = await as('owner', ['keys', 'rotate', key.keyId]);
    expect(rotatedTable.stdout.toString()).toMatch(/createdVersion +3\ncurrentVersion +3\n/);

    const disabled = await as('owner', ['keys', 'disable', 'alias/cli-orders', '-o', 'json']);
    expect(json<KeyMetadata>(disabled.stdout).state).toBe('Disabled');
    const refused = await as('owner', ['encrypt', '--key', 'alias/cli-orders', 'x']);
    expect(refused.code).toBe(1);
    oneLineError(refused.stderr, 'KeyDisabled');
    expect(json<KeyMetadata>((await as('owner', ['keys', 'enable', key.keyId, '-o', 'json'])).stdout).state).toBe('Enabled');

    const scheduled = await as('owner', ['keys', 'schedule-deletion', key.keyId, '--days', '7', '-o', 'json']);
    expect(scheduled.code).toBe(0);
    const pending = json<KeyMetadata>(scheduled.stdout);
    expect(pending.state).toBe('PendingDeletion');
    expect(Date.parse(pending.deletionDate!) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const cancelled = await as('owner', ['keys', 'cancel-deletion', key.keyId]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout.toString()).toMatch(/state +Disabled\ndeletionDate +-\n/);
    const again = await as('owner', ['keys', 'cancel-deletion', key.keyId]);
    expect(again.code).toBe(1);
    oneLineError(again.stderr, 'InvalidKeyState');
  });

  it("shows and changes a key's policy, which decides who may use the key", async () => {
    const key = await createKey();
    const teammate = principal('teammate').arn;
    const shown = await as('owner', ['keys', 'policy', key.keyId, '-o', 'json']);
    expect(json(shown.stdout)).toEqual({ admins: [principal('owner').arn], users: [principal('owner').arn] });

    const refused = await as('teammate', ['encrypt', '--key', key.keyId, 'not yet']);
    expect(refused.code).toBe(1);
    oneLineError(refused.stderr, 'AccessDenied');

    const added = await as('owner', ['keys', 'policy', key.keyId, '--add-user', teammate]);
    expect(added.code).toBe(0);
    expect(added.stdout.toString()).toContain(teammate);
    expect((await as('teammate', ['encrypt', '--key', key.keyId, 'now'])).code).toBe(0);

    await writeFile(join(dir, 'policy.json'), JSON.stringify({ admins: [principal('owner').arn], users: [principal('owner').arn] }));
    const replaced = await as('owner', ['keys', 'policy', key.keyId, '--file', 'policy.json', '-o', 'json']);
    expect(json(replaced.stdout)).toEqual({ admins: [principal('owner').arn], users: [principal('owner').arn] });
    expect((await as('teammate', ['encrypt', '--key', key.keyId, 'again'])).code).toBe(1);
  });
});

describe('small values', () => {
  it('encrypts and decrypts text from an argument and from stdin, binary in base64, and rewraps', async () => {
    const key = await createKey('owner', '--alias', 'cli-values');
    const sealed = await as('owner', ['encrypt', '--key', 'alias/cli-values', '--context', 'tenant=acme', '-c', 'purpose=test', 'card data']);
    expect(sealed.code).toBe(0);
    const token = sealed.stdout.toString().trim();
    expect(sealed.stdout.toString()).toMatch(/^ev2\.[A-Za-z0-9_-]+\n$/);

    const opened = await as('owner', ['decrypt', '--context', 'tenant=acme', '-c', 'purpose=test', token]);
    expect(opened).toMatchObject({ code: 0, stderr: '' });
    expect(opened.stdout.toString()).toBe('card data');

    // Stdin, bytes as they are; the token on stdin too.
    const piped = await as('owner', ['encrypt', '--key', key.keyId], 'line one\nline two\n');
    const back = await as('owner', ['decrypt'], piped.stdout);
    expect(back.stdout.toString()).toBe('line one\nline two\n');

    const bytes = randomBytes(300);
    const binary = await as('owner', ['encrypt', '--key', key.keyId, '--base64', '--output', 'json', bytes.toString('base64')]);
    const sealedBinary = json<SealedValue>(binary.stdout);
    expect(sealedBinary).toMatchObject({ keyId: key.keyId, keyVersion: 1 });
    const asBase64 = await as('owner', ['decrypt', '--base64', sealedBinary.ciphertext]);
    expect(asBase64.stdout.toString()).toBe(`${bytes.toString('base64')}\n`);
    const asJson = json<{ plaintext: string; keyId: string; keyVersion: number }>(
      (await as('owner', ['decrypt', '-o', 'json', sealedBinary.ciphertext])).stdout,
    );
    expect(asJson).toEqual({ plaintext: bytes.toString('base64'), keyId: key.keyId, keyVersion: 1 });

    await as('owner', ['keys', 'rotate', key.keyId]);
    const rewrapped = await as('owner', ['rewrap', '-o', 'json', '--context', 'tenant=acme', '-c', 'purpose=test'], token);
    expect(json<SealedValue>(rewrapped.stdout)).toMatchObject({ keyId: key.keyId, keyVersion: 2 });
    const reopened = await as('owner', ['decrypt', '--context', 'tenant=acme', '-c', 'purpose=test', json<SealedValue>(rewrapped.stdout).ciphertext]);
    expect(reopened.stdout.toString()).toBe('card data');
  });

  it('exits 4 for a changed token or another context, and 1 for a caller who is not a user of the key', async () => {
    const key = await createKey();
    const token = (await as('owner', ['encrypt', '--key', key.keyId, '-c', 'tenant=acme', 'secret'])).stdout.toString().trim();
    const wrongContext = await as('owner', ['decrypt', '-c', 'tenant=other', token]);
    expect(wrongContext.code).toBe(4);
    oneLineError(wrongContext.stderr, 'InvalidCiphertext');
    expect(wrongContext.stdout.length).toBe(0);
    const flipped = `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const changed = await as('owner', ['decrypt', '-c', 'tenant=acme', flipped]);
    expect(changed.code).toBe(4);
    oneLineError(changed.stderr, 'InvalidCiphertext');

    const teammate = await as('teammate', ['decrypt', '-c', 'tenant=acme', token]);
    expect(teammate.code).toBe(1);
    oneLineError(teammate.stderr, 'AccessDenied');
    expect(teammate.stdout.length).toBe(0);
    // A principal without the caller policies is refused at the gateway, with the same code.
    const stranger = await as('stranger', ['keys', 'list']);
    expect(stranger.code).toBe(1);
    oneLineError(stranger.stderr, 'AccessDenied');
  });
});

describe('files', () => {
  it('round-trips a file larger than a request may carry, reporting on stderr only, and nothing with --quiet', async () => {
    const key = await createKey('owner', '--alias', 'cli-files');
    const plaintext = randomBytes(6 * 1024 * 1024 + 123);
    await writeFile(join(dir, 'big.bin'), plaintext);
    const encrypted = await as('owner', ['encrypt-file', '--key', 'alias/cli-files', '--context', 'file=big.bin', 'big.bin', 'big.bin.env']);
    expect(encrypted.code).toBe(0);
    expect(encrypted.stdout.length).toBe(0);
    // stderr is not a terminal here: no progress bar, one line saying what was done.
    expect(encrypted.stderr).toBe('encrypted big.bin (6.0 MiB) -> big.bin.env\n');
    const file = await readFile(join(dir, 'big.bin.env'));
    expect(file.length).toBeGreaterThan(plaintext.length);
    expect(file.includes(plaintext.subarray(0, 64))).toBe(false);

    const decrypted = await as('owner', ['--quiet', 'decrypt-file', '--context', 'file=big.bin', 'big.bin.env', 'big.copy']);
    expect(decrypted).toMatchObject({ code: 0, stderr: '' });
    expect(sha256(await readFile(join(dir, 'big.copy')))).toBe(sha256(plaintext));

    const summary = await as('owner', ['decrypt-file', 'big.bin.env', 'big.copy2', '--output', 'json']);
    expect(json(summary.stdout)).toEqual({ input: 'big.bin.env', output: 'big.copy2', bytesRead: file.length });
    expect(sha256(await readFile(join(dir, 'big.copy2')))).toBe(sha256(plaintext));
    void key;
  });

  it('draws a progress bar on stderr when it is a terminal, and none with --quiet or when stderr is not one', async () => {
    const key = await createKey();
    await writeFile(join(dir, 'tty.bin'), randomBytes(5 * 1024 * 1024));
    // script(1) runs the command in a pseudo-terminal; stdout goes to /dev/null, so only stderr reaches it.
    const inTerminal = (command: string) =>
      shell(main, `script -qefc '${command.replace('envelope ', '"$ENVELOPE_NODE" "$ENVELOPE_MAIN" ')}' /dev/null`, {
        env: userEnv(runtime().apiUrl, 'owner'),
        cwd: dir,
      });
    const shown = await inTerminal(`envelope encrypt-file -k ${key.keyId} tty.bin tty.env > /dev/null`);
    expect(shown.code).toBe(0);
    const screen = shown.stdout.toString();
    expect(screen).toMatch(/\[█{24}\] 100% \| 5\.0 MiB \/ 5\.0 MiB \| [\d.]+ [KMG]?i?B\/s \| ETA 0s/);
    expect(screen).toContain('encrypted tty.bin (5.0 MiB) -> tty.env');
    const quiet = await inTerminal(`envelope --quiet decrypt-file tty.env tty.out > /dev/null`);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout.toString()).not.toContain('%');
    const redirected = await inTerminal(`envelope decrypt-file tty.env tty.out2 2> stderr.txt`);
    expect(redirected.stdout.toString()).not.toContain('%');
    expect(await readFile(join(dir, 'stderr.txt'), 'utf8')).toBe('decrypted tty.env (5.0 MiB) -> tty.out2\n');
  });

  it('pipes stdin to stdout: encrypt-file - - | decrypt-file - -', async () => {
    const key = await createKey();
    const plaintext = randomBytes(5 * 1024 * 1024 + 7);
    await writeFile(join(dir, 'piped.bin'), plaintext);
    const { code, stderr } = await shell(
      main,
      `cat piped.bin | envelope encrypt-file --key ${key.keyId} --frame-size 4096 - - | tee piped.env | envelope decrypt-file - - > piped.out`,
      { env: userEnv(runtime().apiUrl, 'owner'), cwd: dir },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(sha256(await readFile(join(dir, 'piped.out')))).toBe(sha256(plaintext));
    // 4 KiB frames: the stream carries more framing than the default would.
    expect((await readFile(join(dir, 'piped.env'))).length).toBeGreaterThan(plaintext.length + (plaintext.length / 4096) * 16);
  });

  it('refuses a tampered file with exit 4 and one line, leaving no output; to stdout, only verified frames', async () => {
    const key = await createKey();
    const work = await mkdtemp(join(tmpdir(), 'envelope-cli-tamper-'));
    await writeFile(join(work, 'in'), randomBytes(1024 * 1024));
    const env = userEnv(runtime().apiUrl, 'owner');
    expect((await envelope(main, ['encrypt-file', '-q', '-k', key.keyId, '--frame-size', '65536', 'in', 'in.env'], { env, cwd: work })).code).toBe(0);
    const tampered = await readFile(join(work, 'in.env'));
    tampered[tampered.length - 30_000]! ^= 0x01;
    await writeFile(join(work, 'in.env'), tampered);

    const result = await envelope(main, ['decrypt-file', 'in.env', 'out'], { env, cwd: work });
    expect(result.code).toBe(4);
    oneLineError(result.stderr, 'InvalidCiphertext');
    expect(result.stderr).not.toMatch(/frame|offset|tag|iv/i);
    expect((await readdir(work)).sort()).toEqual(['in', 'in.env']);

    const toStdout = await envelope(main, ['decrypt-file', 'in.env', '-'], { env, cwd: work });
    expect(toStdout.code).toBe(4);
    oneLineError(toStdout.stderr, 'InvalidCiphertext');
    const plaintext = await readFile(join(work, 'in'));
    expect(toStdout.stdout.length).toBeLessThan(plaintext.length);
    expect(toStdout.stdout.length % 65536).toBe(0);
    expect(toStdout.stdout.equals(plaintext.subarray(0, toStdout.stdout.length))).toBe(true);

    const truncated = await envelope(main, ['decrypt-file', '-', 'out'], { env, cwd: work, input: tampered.subarray(0, 100_000) });
    expect(truncated.code).toBe(4);
    oneLineError(truncated.stderr, 'InvalidCiphertext');
    const wrongContext = await envelope(main, ['decrypt-file', '-c', 'file=other', 'in.env', 'out'], { env, cwd: work });
    expect(wrongContext.code).toBe(4);
    oneLineError(wrongContext.stderr, 'ContextMismatch');
    expect((await readdir(work)).sort()).toEqual(['in', 'in.env']);
  });

  it('exits 1 with the API code for a caller who may not use the key, and 3 for a missing or unwritable file', async () => {
    const key = await createKey();
    await writeFile(join(dir, 'small.bin'), randomBytes(100_000));
    expect((await as('owner', ['encrypt-file', '-k', key.keyId, 'small.bin', 'small.env'])).code).toBe(0);

    const outsiderEncrypt = await as('outsider', ['encrypt-file', '-k', key.keyId, 'small.bin', 'outsider.env']);
    expect(outsiderEncrypt.code).toBe(1);
    oneLineError(outsiderEncrypt.stderr, 'AccessDenied');
    const outsiderDecrypt = await as('outsider', ['decrypt-file', 'small.env', 'outsider.out']);
    expect(outsiderDecrypt.code).toBe(1);
    oneLineError(outsiderDecrypt.stderr, 'AccessDenied');
    const names = await readdir(dir);
    expect(names.filter((n) => n.startsWith('outsider') || n.includes('.partial'))).toEqual([]);

    const missing = await as('owner', ['encrypt-file', '-k', key.keyId, 'no-such-file', 'x.env']);
    expect(missing.code).toBe(3);
    oneLineError(missing.stderr, 'ENOENT');
    const unwritable = await as('owner', ['decrypt-file', 'small.env', join(dir, 'no-such-dir', 'out')]);
    expect(unwritable.code).toBe(3);
    oneLineError(unwritable.stderr, 'ENOENT');
  });
});

describe('master key', () => {
  it('shows the master key status, as JSON for scripts', async () => {
    const { code, stdout } = await as('owner', ['master-key', '--output', 'json']);
    expect(code).toBe(0);
    const status = json<MasterKeyStatus>(stdout);
    expect(status).toMatchObject({ keyState: 'Enabled', keyMaterialOrigin: 'AWS_KMS' });
    expect(status.keyArn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
    const table = await as('owner', ['master-key']);
    expect(table.stdout.toString()).toMatch(/^keyArn +arn:aws:kms:.*\nkeyState +Enabled\n/);
    // --endpoint and --region instead of the environment.
    const flags = await envelope(main, ['--endpoint', runtime().apiUrl, '--region', 'us-east-1', 'master-key', '-o', 'json'], {
      env: { ...userEnv(undefined, 'owner'), AWS_REGION: '' },
    });
    expect(flags.code).toBe(0);
    expect(json<MasterKeyStatus>(flags.stdout).keyArn).toBe(status.keyArn);
    // An API that cannot be reached is exit 1 too, with a code of the CLI's.
    const unreachable = await envelope(main, ['master-key', '--endpoint', 'http://127.0.0.1:9'], { env: userEnv(undefined, 'owner') });
    expect(unreachable.code).toBe(1);
    oneLineError(unreachable.stderr, 'NetworkError');
  });
});
