import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyMetadata, KeyVersionState } from '../../packages/client/src/index.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { principal, type PrincipalName } from '../support/principals.js';
import { builtCli, envelope, userEnv } from './cli-support.js';

/**
 * Retiring and destroying key versions as an admin does it from the command line: the built CLI
 * in child processes against the local runtime (`keys retire-versions`, `destroy-versions`,
 * `cancel-destroy`), and what a user decrypting an old value sees meanwhile.
 */
// No key cache, so that a retirement shows in the very next decrypt.
const runtime = runtimeForFile({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0', POWERTOOLS_METRICS_DISABLED: 'true' });
let main: string;
let dir: string;

beforeAll(async () => {
  main = await builtCli();
  dir = await mkdtemp(join(tmpdir(), 'envelope-key-versions-'));
}, 120_000);

const DAY_MS = 86_400_000;
const as = (name: PrincipalName, args: readonly string[], input?: string) =>
  envelope(main, args, { env: userEnv(runtime().apiUrl, name), input, cwd: dir });
const json = <T>(stdout: Buffer): T => JSON.parse(stdout.toString()) as T;
/** An error, as the CLI must print it: `error: <Code>: <message>`, one line, no stack. */
const oneLineError = (stderr: string, code: string) => {
  expect(stderr).toMatch(new RegExp(`^error: ${code}: \\S[^\\n]*\\n$`));
  expect(stderr).not.toMatch(/\n\s+at /);
};
const states = (key: KeyMetadata): Record<number, KeyVersionState> => Object.fromEntries(key.versions.map((v) => [v.version, v.state]));

/** Runs a command that must succeed with `-o json`, and answers the key metadata it printed. */
async function keyCommand(...args: string[]): Promise<KeyMetadata> {
  const result = await as('owner', [...args, '-o', 'json']);
  expect(result.stderr, args.join(' ')).toBe('');
  expect(result.code, args.join(' ')).toBe(0);
  return json<KeyMetadata>(result.stdout);
}

/** A key with a value sealed under its version 1, rotated twice since: its current version is 3. */
async function valueUnderVersionOne(): Promise<{ key: KeyMetadata; token: string }> {
  const key = await keyCommand('keys', 'create');
  const sealed = await as('owner', ['encrypt', '--key', key.keyId, '-c', 'tenant=acme', 'old secret']);
  expect(sealed.code).toBe(0);
  await writeFile(join(dir, `${key.keyId}.bin`), 'old file');
  expect((await as('owner', ['-q', 'encrypt-file', '-k', key.keyId, `${key.keyId}.bin`, `${key.keyId}.env`])).code).toBe(0);
  for (let i = 0; i < 2; i++) expect((await as('owner', ['keys', 'rotate', key.keyId])).code).toBe(0);
  return { key, token: sealed.stdout.toString().trim() };
}

/** The hour a use at `ms` is recorded as: `…T13:00:00.000Z`. */
const hourOf = (ms: number): string => new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString();
const decrypt = (token: string) => as('owner', ['decrypt', '-c', 'tenant=acme', token]);

describe('help', () => {
  it('has --help with an example on each of the three commands, listed under keys', async () => {
    const commands = ['retire-versions', 'destroy-versions', 'cancel-destroy'];
    for (const command of commands) {
      const help = await envelope(main, ['keys', command, '--help'], { env: userEnv(undefined, undefined) });
      expect(help.code, command).toBe(0);
      expect(help.stdout.toString(), command).toMatch(/\nExample:\n {2}\$ envelope keys \S/);
    }
    const keys = (await envelope(main, ['keys', '--help'], { env: userEnv(undefined, undefined) })).stdout.toString();
    for (const command of commands) expect(keys).toMatch(new RegExp(`\n {2}${command} `));
  });
});

describe('envelope keys retire-versions', () => {
  it('retires the versions below N: their values answer KeyVersionRetired (exit 1) until N is lowered again', async () => {
    const { key, token } = await valueUnderVersionOne();
    expect((await decrypt(token)).stdout.toString()).toBe('old secret');

    const retired = await as('owner', ['keys', 'retire-versions', key.keyId, '--below', '3']);
    expect(retired.stderr).toBe('');
    expect(retired.code).toBe(0);
    const table = retired.stdout.toString();
    expect(table).toMatch(new RegExp(`^keyId +${key.keyId}\n`));
    expect(table).toMatch(
      /\nversions +1 +\S+Z +Retired +last used \d{4}-\d\d-\d\dT\d\d:00:00\.000Z\n +2 +\S+Z +Retired +last used never\n +3 +\S+Z +Enabled +last used never\n/,
    );
    expect(table).toMatch(/\nminDecryptionVersion +3\nversionDestruction +-\n/);

    const refused = await decrypt(token);
    expect(refused.code).toBe(1);
    expect(refused.stdout.toString()).toBe('');
    oneLineError(refused.stderr, 'KeyVersionRetired');
    expect(refused.stderr).toContain(`Version 1 of key ${key.keyId} is retired`);
    for (const args of [
      ['rewrap', '-c', 'tenant=acme', token],
      ['decrypt-file', `${key.keyId}.env`, `${key.keyId}.out`],
      ['rewrap-file', `${key.keyId}.env`],
    ]) {
      const notDone = await as('owner', args);
      expect(notDone.code, args[0]).toBe(1);
      oneLineError(notDone.stderr, 'KeyVersionRetired');
    }
    expect(await readdir(dir)).not.toContain(`${key.keyId}.out`);
    // The current version still encrypts and decrypts.
    const fresh = await as('owner', ['encrypt', '--key', key.keyId, '-c', 'tenant=acme', 'new secret']);
    expect((await decrypt(fresh.stdout.toString().trim())).stdout.toString()).toBe('new secret');

    const lowered = await keyCommand('keys', 'retire-versions', key.keyId, '--min-decryption-version', '1');
    expect(lowered.minDecryptionVersion).toBe(1);
    expect(states(lowered)).toEqual({ 1: 'Enabled', 2: 'Enabled', 3: 'Enabled' });
    const decrypted = await decrypt(token);
    expect(decrypted).toMatchObject({ code: 0, stderr: '' });
    expect(decrypted.stdout.toString()).toBe('old secret');
  });

  it('refuses a missing or malformed N before calling the API (exit 2), and N above the current version (exit 1)', async () => {
    const { key } = await valueUnderVersionOne();
    for (const args of [
      ['keys', 'retire-versions', key.keyId],
      ['keys', 'retire-versions', key.keyId, '--below', '0'],
      ['keys', 'retire-versions', key.keyId, '--below', 'two'],
      ['keys', 'retire-versions', key.keyId, '--below', '2', '--min-decryption-version', '2'],
      ['keys', 'destroy-versions', key.keyId, '--days', 'soon'],
    ]) {
      const refused = await as('owner', args);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stdout.toString()).toBe('');
      expect(refused.stderr, args.join(' ')).toMatch(/^error: [^\n]+\n$/);
    }
    const tooHigh = await as('owner', ['keys', 'retire-versions', key.keyId, '--below', '4']);
    expect(tooHigh.code).toBe(1);
    oneLineError(tooHigh.stderr, 'InvalidKeyState');
    // Nothing retired, nothing to destroy; nothing scheduled, nothing to cancel.
    for (const command of ['destroy-versions', 'cancel-destroy']) {
      const refused = await as('owner', ['keys', command, key.keyId]);
      expect(refused.code, command).toBe(1);
      oneLineError(refused.stderr, 'InvalidKeyState');
    }
    expect((await keyCommand('keys', 'show', key.keyId)).minDecryptionVersion).toBe(1);
  });

  it('is for the key’s admins: a user of the key is refused (exit 1, AccessDenied)', async () => {
    const { key } = await valueUnderVersionOne();
    expect((await as('owner', ['keys', 'policy', key.keyId, '--add-user', principal('teammate').arn])).code).toBe(0);
    for (const args of [
      ['keys', 'retire-versions', key.keyId, '--below', '2'],
      ['keys', 'destroy-versions', key.keyId],
      ['keys', 'cancel-destroy', key.keyId],
    ]) {
      const refused = await as('teammate', args);
      expect(refused.code, args.join(' ')).toBe(1);
      oneLineError(refused.stderr, 'AccessDenied');
    }
    expect((await keyCommand('keys', 'show', key.keyId)).minDecryptionVersion).toBe(1);
  });
});

describe('envelope keys destroy-versions and cancel-destroy', () => {
  it('schedules the retired versions’ destruction after --days, and cancels it: they are Retired again; show tells when each version was last used', async () => {
    const { key, token } = await valueUnderVersionOne();
    const hourBefore = hourOf(Date.now());
    expect((await decrypt(token)).code).toBe(0); // version 1 used
    const usedHours = [hourBefore, hourOf(Date.now())];
    await keyCommand('keys', 'retire-versions', key.keyId, '--below', '3');

    const scheduled = await keyCommand('keys', 'destroy-versions', key.keyId, '--days', '7');
    expect(states(scheduled)).toEqual({ 1: 'PendingDestruction', 2: 'PendingDestruction', 3: 'Enabled' });
    expect(scheduled.versionDestruction?.throughVersion).toBe(2);
    const ahead = Date.parse(scheduled.versionDestruction!.destructionDate) - Date.now();
    expect(ahead).toBeGreaterThan(6.9 * DAY_MS);
    expect(ahead).toBeLessThanOrEqual(7 * DAY_MS);
    expect(scheduled.destroyedThroughVersion).toBe(0);
    const pending = await as('owner', ['keys', 'show', key.keyId]);
    expect(pending.code).toBe(0);
    expect(pending.stdout.toString()).toMatch(
      /\nversions +1 +\S+Z +PendingDestruction +last used \d{4}-\d\d-\d\dT\d\d:00:00\.000Z\n +2 +\S+Z +PendingDestruction +last used never\n/,
    );
    expect(pending.stdout.toString()).toMatch(
      new RegExp(`\nversionDestruction +versions 1-2 at ${scheduled.versionDestruction!.destructionDate.replaceAll('.', '\\.')}\n`),
    );
    // Pending destruction: still refused, and the minimum cannot go back down past it.
    oneLineError((await decrypt(token)).stderr, 'KeyVersionRetired');
    const lowered = await as('owner', ['keys', 'retire-versions', key.keyId, '--below', '1']);
    expect(lowered.code).toBe(1);
    oneLineError(lowered.stderr, 'InvalidKeyState');

    const cancelled = await as('owner', ['keys', 'cancel-destroy', key.keyId]);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(cancelled.stdout.toString()).toMatch(
      /\nversions +1 +\S+Z +Retired +last used \d{4}-\d\d-\d\dT\d\d:00:00\.000Z\n +2 +\S+Z +Retired +last used never\n +3 +\S+Z +Enabled +last used never\n/,
    );
    expect(cancelled.stdout.toString()).toMatch(/\nminDecryptionVersion +3\nversionDestruction +-\ndestroyedVersions +-\n$/);

    const shown = await keyCommand('keys', 'show', key.keyId);
    expect(states(shown)).toEqual({ 1: 'Retired', 2: 'Retired', 3: 'Enabled' });
    expect(shown.versionDestruction).toBeNull();
    const [one, two, three] = shown.versions;
    expect(usedHours).toContain(one?.lastUsedAt);
    expect(cancelled.stdout.toString()).toContain(`last used ${one?.lastUsedAt}\n`);
    expect(two?.lastUsedAt).toBeNull();
    expect(three?.lastUsedAt).toBeNull();
  });

  it('schedules with the default window of 30 days when --days is not given', async () => {
    const { key } = await valueUnderVersionOne();
    await keyCommand('keys', 'retire-versions', key.keyId, '--below', '2');
    const scheduled = await keyCommand('keys', 'destroy-versions', key.keyId);
    expect(states(scheduled)).toEqual({ 1: 'PendingDestruction', 2: 'Enabled', 3: 'Enabled' });
    expect(Date.parse(scheduled.versionDestruction!.destructionDate) - Date.now()).toBeGreaterThan(29.9 * DAY_MS);
    const table = await as('owner', ['keys', 'cancel-destroy', key.keyId]);
    expect(table.stdout.toString()).toMatch(/\nversions +1 +\S+Z +Retired +last used never\n/);
  });
});
