import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand, type KMSClient, NotFoundException } from '@aws-sdk/client-kms';

/** Finds the CMK behind `alias`, creating it (with rotation on, as the stacks do) the first time. */
export async function ensureMasterKey(kms: KMSClient, alias: string): Promise<string> {
  try {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    return KeyMetadata!.Arn!;
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
  }
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Description: 'Envelope API master key (local runtime)',
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
  }));
  const keyArn = KeyMetadata!.Arn!;
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyArn }));
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyArn, RotationPeriodInDays: 365 }));
  return keyArn;
}
