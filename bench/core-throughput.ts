import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
} from '@aws-crypto/client-node';
import type { KMS } from '@aws-sdk/client-kms';
import type { EnvelopeEncryption } from '../lambdas/domain/envelope-encryption.js';
import { opsPerSecond } from './measure.js';

export interface CoreFigures {
  /** MB/s (10^6 bytes) of plaintext, per operation and size. */
  readonly raw: Record<string, number>;
  readonly envelope: Record<string, number>;
  readonly encryptionSdk: Record<string, number>;
}

const SIZES = { '1KiB': 1024, '1MiB': 1024 * 1024 } as const;

/** Raw AES-256-GCM, the physical limit: a key imported once, a fresh IV per message, nothing else. */
function rawAesGcm(plaintext: Buffer) {
  const key = createSecretKey(randomBytes(32));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = cipher.update(plaintext);
  cipher.final();
  const tag = cipher.getAuthTag();
  return {
    encrypt: () => {
      const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
      c.update(plaintext);
      c.final();
      return c.getAuthTag();
    },
    decrypt: () => {
      const d = createDecipheriv('aes-256-gcm', key, iv);
      d.setAuthTag(tag);
      d.update(ciphertext);
      return d.final();
    },
  };
}

export async function measureCoreThroughput(
  envelope: EnvelopeEncryption,
  caller: string,
  keyId: string,
  kms: KMS,
  masterKeyArn: string,
): Promise<CoreFigures> {
  const sdk = encryptionSdkWithCache(kms, masterKeyArn, 'throughput');
  const figures: CoreFigures = { raw: {}, envelope: {}, encryptionSdk: {} };
  for (const [label, size] of Object.entries(SIZES)) {
    const plaintext = randomBytes(size);
    const mb = (ops: number) => (ops * size) / 1e6;
    const raw = rawAesGcm(plaintext);
    figures.raw[`encrypt${label}`] = mb(await opsPerSecond(raw.encrypt));
    figures.raw[`decrypt${label}`] = mb(await opsPerSecond(raw.decrypt));

    const sealed = (await envelope.encrypt(caller, keyId, { plaintext })).ciphertext.toBytes();
    figures.envelope[`encrypt${label}`] = mb(await opsPerSecond(() => envelope.encrypt(caller, keyId, { plaintext })));
    figures.envelope[`decrypt${label}`] = mb(await opsPerSecond(() => envelope.decrypt(caller, { ciphertext: sealed })));

    const { result } = await sdk.encrypt(plaintext);
    figures.encryptionSdk[`encrypt${label}`] = mb(await opsPerSecond(() => sdk.encrypt(plaintext)));
    figures.encryptionSdk[`decrypt${label}`] = mb(await opsPerSecond(() => sdk.decrypt(result)));
  }
  return figures;
}

/** The AWS Encryption SDK with a caching materials manager and its non-signing committing suite. */
export function encryptionSdkWithCache(kms: KMS, masterKeyArn: string, partition: string) {
  const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: new KmsKeyringNode({ generatorKeyId: masterKeyArn, clientProvider: () => kms }),
    cache: getLocalCryptographicMaterialsCache(1000),
    maxAge: 60_000,
    partition,
  });
  const suiteId = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
  return {
    encrypt: (plaintext: Buffer) =>
      sdk.encrypt(cmm, plaintext, { suiteId, encryptionContext: { purpose: 'bench' }, plaintextLength: plaintext.length }),
    decrypt: (message: Buffer) => sdk.decrypt(cmm, message),
  };
}
