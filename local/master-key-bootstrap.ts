import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  NotFoundException,
  PutKeyPolicyCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';

/** The key stack's KeyMaterialOrigin parameter. */
export type KeyMaterialOrigin = 'AWS_KMS' | 'EXTERNAL';

/** `ENVELOPE_KEY_MATERIAL_ORIGIN` (its default is in settings.ts), as the parameter. */
export function keyMaterialOriginOf(value: string | undefined): KeyMaterialOrigin {
  if (value !== 'AWS_KMS' && value !== 'EXTERNAL') throw new Error(`ENVELOPE_KEY_MATERIAL_ORIGIN must be AWS_KMS or EXTERNAL, not ${value}.`);
  return value;
}

/**
 * Deploys a key as its stack would: the CMK behind `alias`, created the first time (rotation on,
 * as the stacks' default, unless its material is imported: then it waits in PendingImport), and
 * its key policy set to the synthesized one on every start, as a redeploy would. The key stack's
 * master key and the data stack's storage key are both deployed this way.
 */
export async function ensureKey(kms: KMSClient, alias: string, policy: object, origin: KeyMaterialOrigin = 'AWS_KMS'): Promise<string> {
  const keyArn = (await findKey(kms, alias)) ?? (await createKey(kms, alias, policy, origin));
  await kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: JSON.stringify(policy) }));
  return keyArn;
}

async function findKey(kms: KMSClient, alias: string): Promise<string | undefined> {
  try {
    return (await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata!.Arn!;
  } catch (error) {
    if (error instanceof NotFoundException) return undefined;
    throw error;
  }
}

async function createKey(kms: KMSClient, alias: string, policy: object, origin: KeyMaterialOrigin): Promise<string> {
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({
      Description: `Envelope API ${alias} (local runtime)`,
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Origin: origin,
      Policy: JSON.stringify(policy),
    }),
  );
  const keyArn = KeyMetadata!.Arn!;
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyArn }));
  if (origin === 'AWS_KMS') await kms.send(new EnableKeyRotationCommand({ KeyId: keyArn, RotationPeriodInDays: 365 }));
  return keyArn;
}
