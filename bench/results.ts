/** bench/results.json: what `npm run bench` writes, and what the generated performance page reads. */
import type { ApiFunctionName } from '../contract/index.js';
import type { BundleFigures } from './bundles.js';
import type { CallCounts } from './call-counts.js';
import type { ConsoleFigures } from './console.js';
import type { CoreFigures } from './core-throughput.js';
import type { FileThroughput } from './file-throughput.js';
import type { HandlerFigures } from './handler-time.js';
import type { HttpFigures } from './http-load.js';
import type { RewrapFigures } from './rewrap.js';

/** 10,000 operations: what the call counts are per. */
export const CALL_COUNT_OPERATIONS = 10_000;

export interface CallsOfWork {
  readonly encrypts: CallCounts;
  readonly decrypts: CallCounts;
}

export interface BenchResults {
  readonly generatedAt: string;
  readonly machine: { readonly node: string; readonly cpus: number };
  readonly encrypt1MiBVsRawAesGcm: number;
  readonly decrypt1MiBVsRawAesGcm: number;
  readonly encrypt1KiBVsEncryptionSdk: number;
  readonly encrypt1KiBVsRawAesGcm: number;
  readonly decrypt1KiBVsEncryptionSdk: number;
  /** The median round's ratio. */
  readonly batchVsSingleItemsPerSecond: number;
  /** 1,000-item batches, the crypto handler on one core. */
  readonly batchItemsPerSecondPerCore1000: number;
  /** Speed ratios from the median times: above 1 is faster than the anchor. */
  readonly encryptFileVsAge: number;
  readonly decryptFileVsAge: number;
  readonly encryptFileVsCopy: number;
  readonly decryptFileVsCopy: number;
  readonly encryptStreamInMemoryVsRawAesGcm: number;
  readonly encryptStreamInMemoryVsEncryptionSdk: number;
  /** The highest of the rounds: a bound holds in every run or not at all. */
  readonly fileEncryptPeakRssMiB: number;
  readonly fileDecryptPeakRssMiB: number;
  readonly apiCallsPerFile: { readonly encrypt: number; readonly decrypt: number };
  /** A 1 GiB file rewrapped into another, until synced: the median round. */
  readonly rewrapFile1GiBSeconds: number;
  /** Body bytes both ways to rewrap the same file as an S3 object (moto_server), as a proxy counted them. */
  readonly rewrapS3Object1GiBBytesTransferred: number;
  readonly kmsCallsPer10kEncryptsCached: number;
  readonly dynamoReadsPer10kEncryptsCached: number;
  readonly dynamoWritesPer10kEncryptsCached: number;
  readonly dynamoWritesPer10kEncryptsUncached: number;
  readonly kmsCallsFor50ConcurrentColdEncrypts: number;
  readonly maxBundleBytes: number;
  /** The highest of the functions' init times (each the median of its runs). */
  readonly maxInitMs: number;
  readonly costPerMillionSingleEncryptsUsd: number;
  readonly costPerMillionBatchedItemsUsd: number;
  readonly costPerMillionKmsDirectUsd: number;
  /** The web console's files, gzipped, all together. */
  readonly consoleGzipBytes: number;
  /** The keys page's first render against npm start's console, the median round. */
  readonly consoleFirstRenderMs: number;
  readonly throughputMBps: CoreFigures;
  readonly calls: {
    readonly cacheOn: CallsOfWork;
    readonly cacheOff: CallsOfWork;
    readonly encryptionSdk: CallsOfWork;
    readonly coldConcurrent50: CallCounts;
  };
  readonly http: HttpFigures;
  readonly files: FileThroughput;
  readonly rewrap: RewrapFigures;
  readonly bundles: Readonly<Record<ApiFunctionName, BundleFigures>>;
  readonly handlers: HandlerFigures;
  readonly console: ConsoleFigures;
}

/** An earlier run's results: any key may be missing, or hold another shape. */
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly DeepPartial<U>[]
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export type StoredResults = DeepPartial<BenchResults>;
