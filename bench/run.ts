import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMS, KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_CACHE_LIMITS } from '../lambdas/domain/data-key-provider.js';
import { DataKeyStore } from '../lambdas/domain/data-key-store.js';
import { EnvelopeEncryption } from '../lambdas/domain/envelope-encryption.js';
import { MasterKey } from '../lambdas/domain/master-key.js';
import { configFromEnv, LOCAL_TABLE_NAME, startLocalRuntime } from '../local/runtime.js';
import { clientFor, principal } from '../test/support/principals.js';
import { measureBundles } from './bundles.js';
import { coldConcurrentCalls, encryptionSdkCalls, envelopeCalls } from './call-counts.js';
import { measureCoreThroughput } from './core-throughput.js';
import { measureFileThroughput } from './file-throughput.js';
import { measureHttp } from './http-load.js';
import { round } from './measure.js';

/**
 * `npm run bench`: the service against its anchors (raw AES-256-GCM and the AWS Encryption SDK),
 * on the local KMS emulator and DynamoDB, in one process. Prints a table and writes
 * bench/results.json.
 */
process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const runtime = await startLocalRuntime({
  ...configFromEnv({ ...process.env, ENVELOPE_DATA_DIR: await mkdtemp(join(tmpdir(), 'envelope-bench-')) }),
  port: 0,
  kmsPort: 0,
  dynamoDbPort: 0,
});
try {
  const owner = clientFor(runtime.apiUrl, 'owner');
  const caller = principal('owner').arn;
  const { keyId } = await owner.createKey({ alias: 'bench' });
  // The domain runs here as the crypto function does, with its role's credentials and rights.
  const crypto = credentialsOf(runtime.functionIdentities.crypto);
  const store = new DataKeyStore(DynamoDBDocumentClient.from(new DynamoDBClient({ credentials: crypto })), LOCAL_TABLE_NAME);
  const masterKey = new MasterKey(new KMSClient({ credentials: crypto }), runtime.masterKeyArn);
  const service = (maxAgeSeconds: number) => EnvelopeEncryption.over(store, masterKey, { ...DEFAULT_CACHE_LIMITS, maxAgeSeconds });
  // The Encryption SDK anchor calls KMS with its own contexts: as an account administrator.
  const kms = new KMS({ credentials: credentialsOf(runtime.deployer) });

  log('core throughput (in-process, warm cache)');
  const core = await measureCoreThroughput(service(60), caller, keyId, kms, runtime.masterKeyArn);

  log('KMS and DynamoDB calls');
  const cacheOn = await envelopeCalls(runtime, () => service(60), caller, keyId);
  const cacheOff = await envelopeCalls(runtime, () => service(0), caller, keyId);
  const sdkCalls = await encryptionSdkCalls(runtime, kms, runtime.masterKeyArn);
  const cold = await coldConcurrentCalls(runtime, service(60), caller, keyId);

  log('HTTP through the local gateway');
  const http = await measureHttp(owner, keyId);

  log('files (1 GiB, disk to disk)');
  const { accessKeyId, secretAccessKey } = principal('owner');
  const files = await measureFileThroughput({ endpoint: runtime.apiUrl, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey } }, keyId);

  log('bundles');
  const bundles = await measureBundles();

  const ratio = (a: number, b: number) => round(a / b);
  const results = {
    generatedAt: new Date().toISOString(),
    machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
    encrypt1MiBVsRawAesGcm: ratio(core.envelope.encrypt1MiB!, core.raw.encrypt1MiB!),
    decrypt1MiBVsRawAesGcm: ratio(core.envelope.decrypt1MiB!, core.raw.decrypt1MiB!),
    encrypt1KiBVsEncryptionSdk: ratio(core.envelope.encrypt1KiB!, core.encryptionSdk.encrypt1KiB!),
    encrypt1KiBVsRawAesGcm: ratio(core.envelope.encrypt1KiB!, core.raw.encrypt1KiB!),
    decrypt1KiBVsEncryptionSdk: ratio(core.envelope.decrypt1KiB!, core.encryptionSdk.decrypt1KiB!),
    batchVsSingleItemsPerSecond: ratio(http.batchItemsPerSecond, http.singleItemsPerSecond),
    encryptFile1GiBVsRawAesGcm: ratio(files.mibPerSecond.envelopeEncrypt, files.mibPerSecond.rawEncrypt),
    decryptFile1GiBVsRawAesGcm: ratio(files.mibPerSecond.envelopeDecrypt, files.mibPerSecond.rawDecrypt),
    encryptFile1GiBVsEncryptionSdk: ratio(files.mibPerSecond.envelopeEncrypt, files.mibPerSecond.encryptionSdkEncrypt),
    encryptStreamInMemoryVsEncryptionSdk: ratio(files.inMemoryMibPerSecond.envelopeEncrypt, files.inMemoryMibPerSecond.encryptionSdkEncrypt),
    encryptStreamInMemoryVsRawAesGcm: ratio(files.inMemoryMibPerSecond.envelopeEncrypt, files.inMemoryMibPerSecond.rawEncrypt),
    fileEncryptPeakRssMiB: round(files.encryptPeakRssMiB.cli, 0),
    libraryFileEncryptPeakRssMiB: round(files.encryptPeakRssMiB.library, 0),
    apiCallsPerFile: files.apiCalls,
    kmsCallsPer10kEncryptsCached: cacheOn.encrypts.kms,
    dynamoReadsPer10kEncryptsCached: cacheOn.encrypts.dynamoDbReads,
    dynamoWritesPer10kEncryptsCached: cacheOn.encrypts.dynamoDbWrites,
    dynamoWritesPer10kEncryptsUncached: cacheOff.encrypts.dynamoDbWrites,
    kmsCallsFor50ConcurrentColdEncrypts: cold.kms,
    maxBundleBytes: Math.max(...Object.values(bundles).map((b) => b.bytes)),
    throughputMBps: core,
    calls: { cacheOn, cacheOff, encryptionSdk: sdkCalls, coldConcurrent50: cold },
    http,
    files,
    bundles,
  };
  await writeFile(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log(report(results));
} finally {
  await runtime.close();
}

function credentialsOf({ accessKeyId, secretAccessKey, sessionToken }: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
  return { accessKeyId, secretAccessKey, sessionToken };
}

function log(step: string) {
  console.error(`… ${step}`);
}

// biome-ignore lint/suspicious/noExplicitAny: the results object just built above, read back for the report.
type Results = Record<string, any>;

function report(r: Results): string {
  const mb = (v: number) => `${round(v, 0)} MB/s`;
  const t = r.throughputMBps;
  const check = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const calls = (c: { kms: number; dynamoDbReads: number; dynamoDbWrites: number }) =>
    `${c.kms} KMS, ${c.dynamoDbReads} reads, ${c.dynamoDbWrites} writes`;
  const rows = [
    [
      'encrypt 1 MiB',
      mb(t.envelope.encrypt1MiB),
      mb(t.raw.encrypt1MiB),
      mb(t.encryptionSdk.encrypt1MiB),
      `${r.encrypt1MiBVsRawAesGcm}× raw (target ≥ 0.85: ${check(r.encrypt1MiBVsRawAesGcm >= 0.85)})`,
    ],
    [
      'decrypt 1 MiB',
      mb(t.envelope.decrypt1MiB),
      mb(t.raw.decrypt1MiB),
      mb(t.encryptionSdk.decrypt1MiB),
      `${r.decrypt1MiBVsRawAesGcm}× raw (target ≥ 0.85: ${check(r.decrypt1MiBVsRawAesGcm >= 0.85)})`,
    ],
    [
      'encrypt 1 KiB',
      mb(t.envelope.encrypt1KiB),
      mb(t.raw.encrypt1KiB),
      mb(t.encryptionSdk.encrypt1KiB),
      `${r.encrypt1KiBVsEncryptionSdk}× SDK (target ≥ 5: ${check(r.encrypt1KiBVsEncryptionSdk >= 5)}), ${r.encrypt1KiBVsRawAesGcm}× raw (target ≥ 0.5: ${check(r.encrypt1KiBVsRawAesGcm >= 0.5)})`,
    ],
    ['decrypt 1 KiB', mb(t.envelope.decrypt1KiB), mb(t.raw.decrypt1KiB), mb(t.encryptionSdk.decrypt1KiB), `${r.decrypt1KiBVsEncryptionSdk}× SDK`],
  ];
  const lines = [
    '| operation | Envelope API | raw AES-256-GCM | Encryption SDK (caching) | ratio |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    '| work | cache on | cache off | Encryption SDK (caching) |',
    '|---|---|---|---|',
    `| 10,000 encrypts, one key | ${calls(r.calls.cacheOn.encrypts)} | ${calls(r.calls.cacheOff.encrypts)} | ${calls(r.calls.encryptionSdk.encrypts)} |`,
    `| DynamoDB writes per 10,000 encrypts | ${r.dynamoWritesPer10kEncryptsCached} (target 0: ${check(r.dynamoWritesPer10kEncryptsCached === 0)}) | ${r.dynamoWritesPer10kEncryptsUncached} (target 0: ${check(r.dynamoWritesPer10kEncryptsUncached === 0)}) | |`,
    `| 10,000 decrypts of 100 ciphertexts | ${calls(r.calls.cacheOn.decrypts)} | ${calls(r.calls.cacheOff.decrypts)} | ${calls(r.calls.encryptionSdk.decrypts)} |`,
    `| 50 concurrent cold encrypts | ${calls(r.calls.coldConcurrent50)} (target 1 KMS: ${check(r.kmsCallsFor50ConcurrentColdEncrypts === 1)}) | | |`,
    '',
    '| over HTTP (local gateway, SigV4) | figure |',
    '|---|---|',
    `| single 1 KiB encrypts, 16 clients | ${round(r.http.requestsPerSecond, 0)} req/s, p50 ${round(r.http.p50Ms, 1)} ms, p99 ${round(r.http.p99Ms, 1)} ms |`,
    `| 100-item batches | ${round(r.http.batchItemsPerSecond, 0)} items/s = ${r.batchVsSingleItemsPerSecond}× single (target ≥ 20: ${check(r.batchVsSingleItemsPerSecond >= 20)}) |`,
    '',
    '| 1 GiB file, disk to disk | MiB/s | ratio |',
    '|---|---|---|',
    `| encrypt (client file format) | ${round(r.files.mibPerSecond.envelopeEncrypt, 0)} | ${r.encryptFile1GiBVsRawAesGcm}× raw (target ≥ 0.9: ${check(r.encryptFile1GiBVsRawAesGcm >= 0.9)}), ${r.encryptFile1GiBVsEncryptionSdk}× SDK (target ≥ 10: ${check(r.encryptFile1GiBVsEncryptionSdk >= 10)}) |`,
    `| decrypt (client file format) | ${round(r.files.mibPerSecond.envelopeDecrypt, 0)} | ${r.decryptFile1GiBVsRawAesGcm}× raw (target ≥ 0.9: ${check(r.decryptFile1GiBVsRawAesGcm >= 0.9)}) |`,
    `| raw AES-256-GCM encrypt / decrypt | ${round(r.files.mibPerSecond.rawEncrypt, 0)} / ${round(r.files.mibPerSecond.rawDecrypt, 0)} | |`,
    `| Encryption SDK encryptStream (committing, non-signing) | ${round(r.files.mibPerSecond.encryptionSdkEncrypt, 0)} | |`,
    `| encrypt stream, 256 MiB memory to nowhere | ${round(r.files.inMemoryMibPerSecond.envelopeEncrypt, 0)} | ${r.encryptStreamInMemoryVsRawAesGcm}× raw (${round(r.files.inMemoryMibPerSecond.rawEncrypt, 0)}), ${r.encryptStreamInMemoryVsEncryptionSdk}× SDK (${round(r.files.inMemoryMibPerSecond.encryptionSdkEncrypt, 0)}) |`,
    `| peak RSS of \`envelope encrypt-file\` | ${r.fileEncryptPeakRssMiB} MiB (target ≤ 128: ${check(r.fileEncryptPeakRssMiB <= 128)}) | |`,
    `| peak RSS of the library's encryptFile, default \`node\` | ${r.libraryFileEncryptPeakRssMiB} MiB | |`,
    `| API calls per file | encrypt ${r.apiCallsPerFile.encrypt}, decrypt ${r.apiCallsPerFile.decrypt} (target 1 each: ${check(r.apiCallsPerFile.encrypt === 1 && r.apiCallsPerFile.decrypt === 1)}) | |`,
    '',
    '| function | bundle | init (fresh process) |',
    '|---|---|---|',
    ...Object.entries(r.bundles as Record<string, { bytes: number; initMs: number }>).map(
      ([name, b]) => `| ${name} | ${round(b.bytes / 1024, 1)} KiB | ${round(b.initMs, 1)} ms |`,
    ),
    `| largest | ${round(r.maxBundleBytes / 1024, 1)} KiB (target ≤ 400 KB: ${check(r.maxBundleBytes <= 400_000)}) | |`,
  ];
  return lines.join('\n');
}
