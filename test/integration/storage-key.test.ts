import { readFile } from 'node:fs/promises';
import { DisableKeyCommand, EnableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import type { SynthesizedTemplates } from '../../local/iam/synthesized-templates.js';
import { clientFor, failure, kmsClientFor } from '../support/principals.js';
import { runtimeForFile, startInProcessRuntime } from '../support/in-process-runtime.js';

/**
 * The master key wraps data keys and nothing else; the table (and the audit trail) are encrypted
 * with the data stack's storage key. Disabling the master key stops wrapping and unwrapping with
 * the documented 409 while everything stored stays readable; a table whose own key is disabled is
 * inaccessible, as DynamoDB makes it, and the service answers 503 until the key is enabled again.
 */
const runtime = runtimeForFile({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' });

/** The defect this design removes: the table encrypted with the master key, imported from the key stack. */
function tableUnderMasterKey(templates: SynthesizedTemplates): SynthesizedTemplates {
  const [exportName] = Object.values(templates.key.Outputs ?? {}).flatMap((output) =>
    output.Export && JSON.stringify(output.Value).includes('MasterKey') ? [output.Export.Name] : [],
  );
  const table = Object.values(templates.data.Resources).find((r) => r.Type === 'AWS::DynamoDB::Table')!;
  (table.Properties!.SSESpecification as Record<string, unknown>).KMSMasterKeyId = { 'Fn::ImportValue': exportName };
  return templates;
}

const auditLines = async () => (await readFile(runtime().auditFile, 'utf8')).trim().split('\n').length;

/** CloudFormation's role administers the storage key: nobody else is named in its policy. */
const asDeployer = () =>
  new KMSClient({
    endpoint: runtime().kmsUrl,
    region: 'us-east-1',
    credentials: {
      accessKeyId: runtime().deployer.accessKeyId,
      secretAccessKey: runtime().deployer.secretAccessKey,
      sessionToken: runtime().deployer.sessionToken,
    },
  });

describe('the storage key apart from the master key', () => {
  it('keeps the table and the audit trail readable while the master key is disabled', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const key = await owner.createKey({ description: 'survives a disabled master key' });
    const sealed = await owner.encrypt(key.keyId, 'stored before');

    await kmsClientFor(runtime().kmsUrl).send(new DisableKeyCommand({ KeyId: runtime().masterKeyArn }));
    try {
      expect(await failure(owner.decrypt(sealed.ciphertext))).toMatchObject({ status: 409, code: 'MasterKeyDisabled' });
      expect(await failure(owner.createKey({}))).toMatchObject({ status: 409, code: 'MasterKeyDisabled' });
      const before = await auditLines();
      expect((await owner.getKey(key.keyId)).keyId).toBe(key.keyId);
      expect((await owner.listKeys()).keys.map((k) => k.keyId)).toContain(key.keyId);
      expect(await auditLines()).toBeGreaterThan(before);
    } finally {
      await kmsClientFor(runtime().kmsUrl).send(new EnableKeyCommand({ KeyId: runtime().masterKeyArn }));
    }
    expect(Buffer.from((await owner.decrypt(sealed.ciphertext)).plaintext).toString()).toBe('stored before');
  });

  it('makes the table inaccessible while the storage key is disabled: 503, then back when it is enabled', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const key = await owner.createKey({ description: 'under the storage key' });
    await asDeployer().send(new DisableKeyCommand({ KeyId: runtime().storageKeyArn }));
    try {
      expect(await failure(owner.getKey(key.keyId))).toMatchObject({ status: 503, code: 'DependencyUnavailable' });
      expect(await failure(owner.listKeys())).toMatchObject({ status: 503, code: 'DependencyUnavailable' });
    } finally {
      await asDeployer().send(new EnableKeyCommand({ KeyId: runtime().storageKeyArn }));
    }
    expect((await owner.getKey(key.keyId)).keyId).toBe(key.keyId);
  });

  it('is a different key from the master key', () => {
    expect(runtime().storageKeyArn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
    expect(runtime().storageKeyArn).not.toBe(runtime().masterKeyArn);
  });
});

describe('the rehearsal of a table encrypted with the master key', () => {
  const defective = runtimeForFile({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' }, { alterTemplates: tableUnderMasterKey });

  it('shows what DynamoDB would do: disabling the master key takes the table down with it', async () => {
    const owner = clientFor(defective().apiUrl, 'owner');
    await owner.createKey({ description: 'under the wrong key' });
    await kmsClientFor(defective().kmsUrl).send(new DisableKeyCommand({ KeyId: defective().masterKeyArn }));
    try {
      expect(await failure(owner.listKeys())).toMatchObject({ status: 503, code: 'DependencyUnavailable' });
    } finally {
      await kmsClientFor(defective().kmsUrl).send(new EnableKeyCommand({ KeyId: defective().masterKeyArn }));
    }
    expect((await owner.listKeys()).keys.length).toBeGreaterThan(0);
  });
});

describe('bring your own key material, before any is imported', () => {
  it('deploys: the table is created under the storage key while the master key waits in PendingImport', async () => {
    const pending = await startInProcessRuntime({ ENVELOPE_KEY_MATERIAL_ORIGIN: 'EXTERNAL', ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' });
    try {
      const owner = clientFor(pending.apiUrl, 'owner');
      expect(await failure(owner.createKey({}))).toMatchObject({ status: 409, code: 'MasterKeyPendingImport' });
      expect((await owner.listKeys()).keys).toEqual([]);
    } finally {
      await pending.close();
    }
  });

  it('could not deploy a table under the master key: DynamoDB cannot create it under a key pending import', async () => {
    const started = startInProcessRuntime({ ENVELOPE_KEY_MATERIAL_ORIGIN: 'EXTERNAL' }, { alterTemplates: tableUnderMasterKey });
    await expect(started).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('PendingImport') });
  });
});
