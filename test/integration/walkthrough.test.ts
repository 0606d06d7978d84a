import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvelopeClient } from '../../packages/client/src/index.js';
import type { DynamoDbEngine } from '../../local/dynamodb.js';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process.js';
import { clientFor, failure, kmsClientFor, principal } from '../support/principals.js';

const ENGINES: DynamoDbEngine[] = ['dynalite', 'dynamodb-local'];

describe.each(ENGINES)('walk-through against the local runtime on %s', (engine) => {
  let runtime: RuntimeProcess;
  let owner: EnvelopeClient;
  let teammate: EnvelopeClient;
  let outsider: EnvelopeClient;
  let keyId: string;
  const context = { tenant: 'acme', purpose: 'walk-through' };
  const message = Buffer.from('the quarterly numbers');

  const connect = (rt: RuntimeProcess) => {
    runtime = rt;
    owner = clientFor(rt.apiUrl, 'owner');
    teammate = clientFor(rt.apiUrl, 'teammate');
    outsider = clientFor(rt.apiUrl, 'outsider');
  };

  // Without the data-key cache, a CMK disabled in KMS shows on the very next call (the cache's
  // bounded staleness has its own tests).
  const env = { ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' };

  beforeAll(async () => connect(await startRuntimeProcess({ engine, env })));
  afterAll(async () => runtime?.stop());

  it('owner creates a key, encrypts and decrypts', async () => {
    const key = await owner.createKey({ alias: `walk-${engine}`, description: 'walk-through' });
    expect(key).toMatchObject({ state: 'Enabled', currentVersion: 1, policy: { admins: [principal('owner').arn], users: [principal('owner').arn] } });
    keyId = key.keyId;

    const sealed = await owner.encrypt(`alias/walk-${engine}`, message, context);
    expect(sealed).toMatchObject({ keyId, keyVersion: 1 });
    const opened = await owner.decrypt(sealed.ciphertext, context);
    expect(opened.plaintext.equals(message)).toBe(true);
    expect(opened).toMatchObject({ keyId, keyVersion: 1 });
  });

  it('owner gets a data key for client-side encryption, and decrypts its sealed form back to the same key', async () => {
    const dataKey = await owner.generateDataKey(`alias/walk-${engine}`, context);
    expect(dataKey).toMatchObject({ keyId, keyVersion: 1 });
    expect((await owner.decrypt(dataKey.encryptedKey, context)).plaintext.equals(dataKey.plaintextKey!)).toBe(true);
  });

  it('denies the teammate until the owner adds them as a user, and the outsider throughout', async () => {
    const sealed = await owner.encrypt(keyId, message, context);
    expect(await failure(teammate.encrypt(keyId, message))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await failure(teammate.decrypt(sealed.ciphertext, context))).toMatchObject({ status: 403, code: 'AccessDenied' });

    await owner.putKeyPolicy(keyId, { admins: [principal('owner').arn], users: [principal('owner').arn, principal('teammate').arn] });
    expect((await teammate.decrypt(sealed.ciphertext, context)).plaintext.equals(message)).toBe(true);
    const theirs = await teammate.encrypt(keyId, message, context);
    expect((await owner.decrypt(theirs.ciphertext, context)).plaintext.equals(message)).toBe(true);
    // A user is not an administrator.
    expect(await failure(teammate.rotateKey(keyId))).toMatchObject({ status: 403, code: 'AccessDenied' });
    // A user sees only what it needs to use the key; its administrators see everything.
    expect((await teammate.listKeys()).keys.find((k) => k.keyId === keyId)).toEqual({
      keyId,
      alias: `walk-${engine}`,
      state: 'Enabled',
      currentVersion: 1,
    });
    expect((await owner.listKeys({ limit: 100 })).keys.find((k) => k.keyId === keyId)).toMatchObject({
      keyId,
      policy: expect.any(Object),
      createdBy: principal('owner').arn,
    });

    for (const call of [
      () => outsider.encrypt(keyId, message),
      () => outsider.decrypt(sealed.ciphertext, context),
      () => outsider.rewrap(sealed.ciphertext, context),
      () => outsider.getKey(keyId),
      () => outsider.rotateKey(keyId),
      () => outsider.disableKey(keyId),
      () => outsider.putKeyPolicy(keyId, { admins: [principal('outsider').arn], users: [] }),
    ]) {
      expect(await failure(call())).toMatchObject({ status: 403, code: 'AccessDenied' });
    }
    expect((await outsider.listKeys()).keys).toEqual([]);
  });

  it('answers MasterKeyDisabled while the CMK is disabled in KMS, and works again once enabled', async () => {
    const sealed = await owner.encrypt(keyId, message, context);
    const kms = kmsClientFor(runtime.kmsUrl);
    const { keyArn } = await owner.masterKey();
    await kms.send(new DisableKeyCommand({ KeyId: keyArn }));
    try {
      expect(await owner.masterKey()).toMatchObject({ keyState: 'Disabled' });
      expect(await failure(owner.decrypt(sealed.ciphertext, context))).toMatchObject({ status: 409, code: 'MasterKeyDisabled' });
      expect(await failure(owner.encrypt(keyId, message))).toMatchObject({ status: 409, code: 'MasterKeyDisabled' });
      expect(await failure(owner.createKey())).toMatchObject({ status: 409, code: 'MasterKeyDisabled' });
    } finally {
      await kms.send(new EnableKeyCommand({ KeyId: keyArn }));
    }
    expect((await owner.decrypt(sealed.ciphertext, context)).plaintext.equals(message)).toBe(true);
  });

  it('rotates: old ciphertexts still decrypt, new ones use version 2, rewrap moves old ones to version 2', async () => {
    const old = await owner.encrypt(keyId, message, context);
    const rotated = await owner.rotateKey(keyId);
    expect(rotated.currentVersion).toBe(2);
    expect(rotated.versions.map((v) => v.version)).toEqual([1, 2]);

    expect(await owner.decrypt(old.ciphertext, context)).toMatchObject({ keyVersion: 1 });
    const fresh = await owner.encrypt(keyId, message, context);
    expect(fresh.keyVersion).toBe(2);
    const rewrapped = await owner.rewrap(old.ciphertext, context);
    expect(rewrapped).toMatchObject({ keyId, keyVersion: 2 });
    expect(rewrapped.ciphertext).not.toBe(old.ciphertext);
    const opened = await owner.decrypt(rewrapped.ciphertext, context);
    expect(opened.plaintext.equals(message)).toBe(true);
    expect(opened.keyVersion).toBe(2);
  });

  it('schedules deletion (KeyPendingDeletion), cancels it (Disabled), and enables the key again', async () => {
    const sealed = await owner.encrypt(keyId, message, context);
    const scheduled = await owner.scheduleKeyDeletion(keyId, 7);
    expect(scheduled.state).toBe('PendingDeletion');
    const days = (Date.parse(scheduled.deletionDate!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    expect(await failure(owner.decrypt(sealed.ciphertext, context))).toMatchObject({ status: 409, code: 'KeyPendingDeletion' });
    expect(await failure(owner.encrypt(keyId, message))).toMatchObject({ status: 409, code: 'KeyPendingDeletion' });

    const cancelled = await owner.cancelKeyDeletion(keyId);
    expect(cancelled).toMatchObject({ state: 'Disabled', deletionDate: null });
    expect(await failure(owner.decrypt(sealed.ciphertext, context))).toMatchObject({ status: 409, code: 'KeyDisabled' });

    expect((await owner.enableKey(keyId)).state).toBe('Enabled');
    expect((await owner.decrypt(sealed.ciphertext, context)).plaintext.equals(message)).toBe(true);
  });

  it('still decrypts earlier ciphertexts after the local runtime restarts', async () => {
    const before = await owner.encrypt(keyId, message, context);
    const { dataDir } = runtime;
    await runtime.stop();
    connect(await startRuntimeProcess({ engine, dataDir, env }));
    const opened = await owner.decrypt(before.ciphertext, context);
    expect(opened.plaintext.equals(message)).toBe(true);
    expect((await owner.getKey(`alias/walk-${engine}`)).keyId).toBe(keyId);
  });
});
