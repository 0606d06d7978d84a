import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteImportedKeyMaterialCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { importKeyMaterial } from '../../scripts/import-key-material.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor, failure, kmsClientFor, principal } from '../support/principals.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * The lesson of imported key material, through the service: the master key created for imported
 * material (KeyMaterialOrigin=EXTERNAL), imported by the key administrator, deleted, imported
 * again with the import script, and every earlier ciphertext decrypting again.
 */
const runtime = runtimeForFile({ ENVELOPE_KEY_MATERIAL_ORIGIN: 'EXTERNAL', ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' });

describe('a master key with imported material', () => {
  it('is unavailable until imported, fails clearly once the material is deleted, and loses nothing when the same material returns', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const keyAdmin = kmsClientFor(runtime().kmsUrl, 'keyadmin');
    const masterKeyArn = runtime().masterKeyArn;
    expect(await owner.masterKey()).toMatchObject({ keyState: 'PendingImport', keyMaterialOrigin: 'EXTERNAL', keyRotationEnabled: false });
    expect(await failure(owner.createKey())).toMatchObject({ status: 409, code: 'MasterKeyPendingImport' });

    const material = randomBytes(32);
    await importKeyMaterial(keyAdmin, { key: masterKeyArn, material, wrapping: 'RSA_AES_KEY_WRAP_SHA_256' });
    expect(await owner.masterKey()).toMatchObject({ keyState: 'Enabled', keyMaterialOrigin: 'EXTERNAL' });
    const key = await owner.createKey({ alias: 'byok' });
    const sealed = await owner.encrypt('alias/byok', 'kept through the outage', { k: 'v' });

    await keyAdmin.send(new DeleteImportedKeyMaterialCommand({ KeyId: masterKeyArn }));
    const calls = [
      () => owner.decrypt(sealed.ciphertext, { k: 'v' }),
      () => owner.encrypt(key.keyId, 'x'),
      () => owner.createKey(),
      () => owner.rotateKey(key.keyId),
    ];
    for (const call of calls) expect(await failure(call())).toMatchObject({ status: 409, code: 'MasterKeyPendingImport' });

    // Different material is refused by KMS; the same material, through the script, brings everything back.
    await expect(importKeyMaterial(keyAdmin, { key: masterKeyArn, material: randomBytes(32), wrapping: 'RSAES_OAEP_SHA_256' })).rejects.toMatchObject(
      { name: 'IncorrectKeyMaterialException' },
    );
    const file = join(await mkdtemp(join(tmpdir(), 'byok-')), 'material.bin');
    await writeFile(file, material, { mode: 0o600 });
    const { accessKeyId, secretAccessKey } = principal('keyadmin');
    await run(process.execPath, ['--import', 'tsx', 'scripts/import-key-material.ts', '--key', 'alias/envelope-api', '--material', file], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_KMS: runtime().kmsUrl,
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
      },
    });
    expect((await owner.decrypt(sealed.ciphertext, { k: 'v' })).plaintext.toString()).toBe('kept through the outage');
    expect((await owner.encrypt(key.keyId, 'again')).keyVersion).toBe(1);
  });
});
