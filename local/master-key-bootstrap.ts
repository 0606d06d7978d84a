import {
  CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand, NotFoundException, PutKeyPolicyCommand, type KMSClient,
} from '@aws-sdk/client-kms';

/**
 * Deploys the master key as the key stack would: the CMK behind `alias`, created the first time
 * (rotation on, as the stack's default), and its key policy set to the synthesized one on every
 * start, as a redeploy would.
 */
export async function ensureMasterKey(kms: KMSClient, alias: string, policy: object): Promise<string> {
  const keyArn = (await findKey(kms, alias)) ?? (await createKey(kms, alias, policy));
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

async function createKey(kms: KMSClient, alias: string, policy: object): Promise<string> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Description: 'Envelope API master key (local runtime)',
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
    Policy: JSON.stringify(policy),
  }));
  const keyArn = KeyMetadata!.Arn!;
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyArn }));
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyArn, RotationPeriodInDays: 365 }));
  return keyArn;
}
