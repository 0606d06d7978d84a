import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_CACHE_LIMITS } from '../../lambdas/domain/data-key-provider.js';
import { DataKeyStore } from '../../lambdas/domain/data-key-store.js';
import { EnvelopeEncryption } from '../../lambdas/domain/envelope-encryption.js';
import { GrantManagement } from '../../lambdas/domain/grant-management.js';
import { KeyManagement } from '../../lambdas/domain/key-management.js';
import { MasterKey } from '../../lambdas/domain/master-key.js';
import { ensureTable, startDynamoDb } from '../../local/dynamodb.js';
import { startKmsEmulator } from '../../local/kms-emulator/server.js';
import { kmsClient, TestClock } from '../kms-emulator/clients.js';

export interface DomainServices {
  readonly keys: KeyManagement;
  readonly grants: GrantManagement;
  /** Caches records and data keys as deployed (60 s); deletion dates and grant expiry still hold. */
  readonly crypto: EnvelopeEncryption;
  /** DynamoDB as the service sees it, to read the table as an investigator would. */
  readonly db: DynamoDBClient;
  readonly table: string;
  /** The parts the services are made of, for tests that build services of their own over them. */
  readonly store: DataKeyStore;
  readonly masterKey: MasterKey;
}

/**
 * The domain services over real dynalite and the KMS emulator, all on one test clock the test moves
 * forward: for what only time shows (deletion dates, grant expiry).
 */
export function domainServicesForFile(clock: TestClock): () => DomainServices {
  let services: DomainServices | undefined;
  const closing: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    const table = 'domain';
    const dynamoDb = await startDynamoDb('dynalite', 0, await mkdtemp(join(tmpdir(), 'envelope-domain-')));
    const kms = await startKmsEmulator({ port: 0, now: clock.now });
    closing.push(
      () => dynamoDb.close(),
      () => kms.close(),
    );
    const db = new DynamoDBClient({ endpoint: dynamoDb.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await ensureTable(db, table);
    const { KeyMetadata } = await kmsClient(kms.url).send(new CreateKeyCommand({}));
    const store = new DataKeyStore(DynamoDBDocumentClient.from(db, { marshallOptions: { removeUndefinedValues: true } }), table);
    const masterKey = new MasterKey(kmsClient(kms.url), KeyMetadata!.Arn!);
    services = {
      keys: new KeyManagement(store, masterKey, { now: clock.now }),
      grants: new GrantManagement(store, clock.now),
      crypto: EnvelopeEncryption.over(store, masterKey, DEFAULT_CACHE_LIMITS, clock.now),
      db,
      table,
      store,
      masterKey,
    };
  });
  afterAll(async () => Promise.all(closing.map((close) => close())));
  return () => services!;
}

export { TestClock };
