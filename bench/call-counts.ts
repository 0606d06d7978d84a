import { randomBytes } from 'node:crypto';
import type { KMS } from '@aws-sdk/client-kms';
import type { EnvelopeEncryption } from '../lambdas/domain/envelope-encryption.js';
import type { LocalRuntime } from '../local/runtime.js';
import { encryptionSdkWithCache } from './core-throughput.js';

export interface CallCounts {
  readonly kms: number;
  readonly dynamoDbReads: number;
  readonly dynamoDbWrites: number;
}

const total = (counts: Readonly<Record<string, number>>, names: string[]) => names.reduce((sum, name) => sum + (counts[name] ?? 0), 0);
const READS = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems'];
const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];

/** What `work` cost, as the emulators counted it. */
export async function counted(runtime: LocalRuntime, work: () => Promise<unknown>): Promise<CallCounts> {
  runtime.resetCalls();
  await work();
  return {
    kms: total(runtime.calls.kms, Object.keys(runtime.calls.kms)),
    dynamoDbReads: total(runtime.calls.dynamoDb, READS),
    dynamoDbWrites: total(runtime.calls.dynamoDb, WRITES),
  };
}

const sequentially = async (count: number, op: (i: number) => Promise<unknown>) => {
  for (let i = 0; i < count; i++) await op(i);
};

/**
 * 10,000 encrypts under one key, and 10,000 decrypts of 100 distinct ciphertexts, each starting
 * from a cold cache (a fresh service from `create`).
 */
export async function envelopeCalls(runtime: LocalRuntime, create: () => EnvelopeEncryption, caller: string, keyId: string) {
  const plaintext = randomBytes(1024);
  const encryptor = create();
  const encrypts = await counted(runtime, () => sequentially(10_000, () => encryptor.encrypt(caller, keyId, { plaintext })));
  const sealed = await Promise.all(Array.from({ length: 100 }, () => encryptor.encrypt(caller, keyId, { plaintext })));
  const decryptor = create();
  const decrypts = await counted(runtime, () =>
    sequentially(10_000, (i) => decryptor.decrypt(caller, { ciphertext: sealed[i % 100]!.ciphertext.toBytes() })),
  );
  return { encrypts, decrypts };
}

export async function encryptionSdkCalls(runtime: LocalRuntime, kms: KMS, masterKeyArn: string) {
  const sdk = encryptionSdkWithCache(kms, masterKeyArn, 'calls');
  const plaintext = randomBytes(1024);
  const encrypts = await counted(runtime, () => sequentially(10_000, () => sdk.encrypt(plaintext)));
  const messages = await Promise.all(Array.from({ length: 100 }, async () => (await sdk.encrypt(plaintext)).result));
  const decrypts = await counted(runtime, () => sequentially(10_000, (i) => sdk.decrypt(messages[i % 100]!)));
  return { encrypts, decrypts };
}

/** 50 concurrent encrypts under one key, with nothing cached yet. */
export async function coldConcurrentCalls(runtime: LocalRuntime, envelope: EnvelopeEncryption, caller: string, keyId: string) {
  const plaintext = randomBytes(1024);
  return counted(runtime, () => Promise.all(Array.from({ length: 50 }, () => envelope.encrypt(caller, keyId, { plaintext }))));
}
