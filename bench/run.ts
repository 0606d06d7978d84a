import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMS, KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_CACHE_LIMITS } from '../lambdas/domain/data-key-provider.js';
import { DataKeyStore } from '../lambdas/domain/data-key-store.js';
import { EnvelopeEncryption } from '../lambdas/domain/envelope-encryption.js';
import { MasterKey } from '../lambdas/domain/master-key.js';
import { startLocalConsole } from '../local/console.js';
import { configFromEnv, LOCAL_TABLE_NAME, type LocalRuntime, startLocalRuntime } from '../local/runtime.js';
import { synthesize } from '../scripts/reference-docs/stacks.js';
import { clientFor, principal } from '../test/support/principals.js';
import { measureBundles } from './bundles.js';
import { measureConsole } from './console.js';
import { coldConcurrentCalls, encryptionSdkCalls, envelopeCalls } from './call-counts.js';
import { kmsDirectPerMillion, perMillionItems } from './cost.js';
import { costInputs, type Deployment } from './cost-inputs.js';
import { measureCoreThroughput } from './core-throughput.js';
import { accessLogFormat, deploymentResources } from './deployment-resources.js';
import { measureFileThroughput } from './file-throughput.js';
import { measureHandlers } from './handler-time.js';
import { measureHttp } from './http-load.js';
import { measureRewrap, prepareRewrap } from './rewrap.js';
import { pairedRatio, round } from './measure.js';
import { performanceSections } from './report.js';
import type { BenchResults } from './results.js';

/**
 * `npm run bench`: the service against its anchors (raw AES-256-GCM, the AWS Encryption SDK, and for
 * files age, openssl and cp), on the local KMS emulator and DynamoDB, and what it costs per request.
 * Prints the tables and writes bench/results.json, from which `npm run docs` makes
 * docs/reference/performance.md. The environment variables for a quick run: docs/performance.md.
 */
/** BENCH_RESULTS elsewhere for a quick run, whose figures should not replace the last full run's. */
const RESULTS = process.env.BENCH_RESULTS || fileURLToPath(new URL('./results.json', import.meta.url));
process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const dataDir = await mkdtemp(join(tmpdir(), 'envelope-bench-'));
const runtime = await startLocalRuntime({
  ...configFromEnv({ ...process.env, ENVELOPE_DATA_DIR: dataDir }),
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

  // Made now, measured last: by then the functions' key caches have seen the rotation.
  const rewrapSetup = await prepareRewrap(owner);

  log('core throughput (in-process, warm cache)');
  const core = await measureCoreThroughput(service(60), caller, keyId, kms, runtime.masterKeyArn);

  log('KMS and DynamoDB calls');
  const cacheOn = await envelopeCalls(runtime, () => service(60), caller, keyId);
  const cacheOff = await envelopeCalls(runtime, () => service(0), caller, keyId);
  const sdkCalls = await encryptionSdkCalls(runtime, kms, runtime.masterKeyArn);
  const cold = await coldConcurrentCalls(runtime, service(60), caller, keyId);

  log('HTTP through the local gateway');
  const http = await measureHttp(owner, keyId);

  log('the crypto handler, in a process of its own');
  const { accessKeyId, secretAccessKey } = principal('owner');
  const handlers = await measureHandlers(runtime, { arn: caller, accessKeyId }, keyId);

  log('files (disk to disk, beside age, openssl and cp)');
  const files = await measureFileThroughput({ endpoint: runtime.apiUrl, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey } }, keyId);

  log('rewrapping after a rotation: a file by its header, an S3 object on moto_server');
  const rewrap = await measureRewrap(rewrapSetup);

  log('bundles');
  const bundles = await measureBundles();

  log('the web console (Chromium, against the console npm start serves)');
  const webConsole = await measureWebConsole(runtime, 'bench');

  const synthesized = synthesize();
  const deployment: Deployment = { resources: deploymentResources(synthesized), accessLogFormat: accessLogFormat(synthesized) };
  const ratio = (a: number, b: number) => round(a / b);
  const calls = { cacheOn, cacheOff, encryptionSdk: sdkCalls, coldConcurrent50: cold };
  const measured = { calls, handlers };
  const costPerMillionItems = (profile: 'singleEncrypt' | 'batchEncrypt100') => round(perMillionItems(costInputs(measured, profile, deployment)!), 4);
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    machine: { node: process.version, cpus: cpus().length },
    encrypt1MiBVsRawAesGcm: ratio(core.envelope.encrypt1MiB!, core.raw.encrypt1MiB!),
    decrypt1MiBVsRawAesGcm: ratio(core.envelope.decrypt1MiB!, core.raw.decrypt1MiB!),
    encrypt1KiBVsEncryptionSdk: ratio(core.envelope.encrypt1KiB!, core.encryptionSdk.encrypt1KiB!),
    encrypt1KiBVsRawAesGcm: ratio(core.envelope.encrypt1KiB!, core.raw.encrypt1KiB!),
    decrypt1KiBVsEncryptionSdk: ratio(core.envelope.decrypt1KiB!, core.encryptionSdk.decrypt1KiB!),
    batchVsSingleItemsPerSecond: round(http.batchVsSingle.median),
    batchItemsPerSecondPerCore1000: round(1000 / (handlers.profiles.batchEncrypt1000.msPerRequest / 1000), 0),
    encryptFileVsAge: round(pairedRatio(files.seconds.age!.encrypt, files.seconds.envelope!.encrypt)),
    decryptFileVsAge: round(pairedRatio(files.seconds.age!.decrypt, files.seconds.envelope!.decrypt)),
    encryptFileVsCopy: round(pairedRatio(files.seconds.cp!.encrypt, files.seconds.envelope!.encrypt)),
    decryptFileVsCopy: round(pairedRatio(files.seconds.cp!.decrypt, files.seconds.envelope!.decrypt)),
    encryptStreamInMemoryVsRawAesGcm: round(pairedRatio(files.inMemoryMibPerSecond.envelopeEncrypt, files.inMemoryMibPerSecond.rawEncrypt)),
    encryptStreamInMemoryVsEncryptionSdk: ratio(
      files.inMemoryMibPerSecond.envelopeEncrypt.median,
      files.inMemoryMibPerSecond.encryptionSdkEncrypt.median,
    ),
    fileEncryptPeakRssMiB: round(Math.max(...files.peakRssMiB.encrypt), 0),
    fileDecryptPeakRssMiB: round(Math.max(...files.peakRssMiB.decrypt), 0),
    apiCallsPerFile: files.apiCalls,
    rewrapFile1GiBSeconds: round(rewrap.fileSeconds.median),
    rewrapS3Object1GiBBytesTransferred: rewrap.s3BytesTransferred,
    kmsCallsPer10kEncryptsCached: cacheOn.encrypts.kms,
    dynamoReadsPer10kEncryptsCached: cacheOn.encrypts.dynamoDbReads,
    dynamoWritesPer10kEncryptsCached: cacheOn.encrypts.dynamoDbWrites,
    dynamoWritesPer10kEncryptsUncached: cacheOff.encrypts.dynamoDbWrites,
    kmsCallsFor50ConcurrentColdEncrypts: cold.kms,
    maxBundleBytes: Math.max(...Object.values(bundles).map((b) => b.bytes)),
    maxInitMs: round(Math.max(...Object.values(bundles).map((b) => b.initMs)), 1),
    costPerMillionSingleEncryptsUsd: costPerMillionItems('singleEncrypt'),
    costPerMillionBatchedItemsUsd: costPerMillionItems('batchEncrypt100'),
    costPerMillionKmsDirectUsd: kmsDirectPerMillion(),
    consoleGzipBytes: webConsole.gzipBytes,
    consoleFirstRenderMs: webConsole.firstRenderMs.median,
    throughputMBps: core,
    calls,
    http,
    files,
    rewrap,
    bundles,
    handlers,
    console: webConsole,
  };
  await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    performanceSections(results, deployment)
      .map(({ heading, text }) => `## ${heading}\n\n${text}`)
      .join('\n\n'),
  );
  log(`wrote ${RESULTS}: \`npm run docs\` makes docs/reference/performance.md from bench/results.json`);
} finally {
  await runtime.close();
  await rm(dataDir, { recursive: true, force: true });
}

function credentialsOf({ accessKeyId, secretAccessKey, sessionToken }: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
  return { accessKeyId, secretAccessKey, sessionToken };
}

async function measureWebConsole(local: LocalRuntime, keyAlias: string) {
  const server = await startLocalConsole(local);
  try {
    return await measureConsole(server.url, keyAlias);
  } finally {
    await server.close();
  }
}

function log(step: string) {
  console.error(`… ${step}`);
}
