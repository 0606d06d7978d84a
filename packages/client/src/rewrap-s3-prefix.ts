import { appendFile, readFile } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { KeyResealing } from './rewrap-file.js';
import { type RewrapS3Options, rewrapS3Object } from './rewrap-s3.js';

/** Objects under a prefix of a bucket. */
export interface S3Prefix {
  readonly bucket: string;
  /** `''` for the whole bucket. */
  readonly prefix: string;
}

export interface RewrapS3PrefixOptions extends RewrapS3Options {
  /** Objects rewrapped at once, 1 to 64. @default 4 */
  readonly concurrency?: number;
  /**
   * A file each object done is recorded in, one JSON line each, as it is done: a run given the file
   * of an interrupted one skips what that run did (objects that failed are tried again). Created if absent.
   */
  readonly checkpoint?: string;
  /** Called as each object is done: its outcome, objects done so far and in all. */
  readonly onObject?: (outcome: ObjectOutcome, done: number, total: number) => void;
}

export type ObjectOutcome =
  | { readonly key: string; readonly outcome: 'rewrapped' | 'skipped'; readonly keyVersion: number; readonly bytesTransferred: number }
  | { readonly key: string; readonly outcome: 'resumed' }
  | { readonly key: string; readonly outcome: 'failed'; readonly error: unknown };

export interface RewrapS3PrefixReport {
  readonly objects: number;
  /** Moved to the current version now. */
  readonly rewrapped: number;
  /** At the current version already (their header read, nothing written). */
  readonly skipped: number;
  /** Done by an earlier run, as the checkpoint says. */
  readonly resumed: number;
  readonly failed: readonly { readonly key: string; readonly error: unknown }[];
  readonly bytesTransferred: number;
}

const DEFAULT_CONCURRENCY = 4;

/**
 * `rewrapS3Object` for every object under a prefix: the objects are listed first (so that the work
 * has a known size), those the checkpoint records as done are skipped, and the others are rewrapped
 * a few at a time, each failure recorded and the run going on. Rejects only when the listing fails
 * or the signal aborts (the objects in progress are then left as they were).
 */
export async function rewrapS3Prefix(
  keys: KeyResealing,
  s3: S3Client,
  { bucket, prefix }: S3Prefix,
  options: RewrapS3PrefixOptions = {},
): Promise<RewrapS3PrefixReport> {
  const { concurrency = DEFAULT_CONCURRENCY, checkpoint, onObject, signal } = options;
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64))
    throw new RangeError('The concurrency must be an integer from 1 to 64.');
  const [objects, done] = await Promise.all([
    listKeys(s3, bucket, prefix, signal),
    checkpoint ? recordedDone(checkpoint, bucket) : new Set<string>(),
  ]);
  const counts = { rewrapped: 0, skipped: 0, resumed: 0, bytesTransferred: 0 };
  const failed: { key: string; error: unknown }[] = [];
  let finished = 0;
  const settle = (outcome: ObjectOutcome) => {
    if (outcome.outcome === 'failed') failed.push({ key: outcome.key, error: outcome.error });
    else counts[outcome.outcome]++;
    if (outcome.outcome === 'rewrapped' || outcome.outcome === 'skipped') counts.bytesTransferred += outcome.bytesTransferred;
    onObject?.(outcome, ++finished, objects.length);
  };
  const one = async (key: string): Promise<void> => {
    if (done.has(key)) return settle({ key, outcome: 'resumed' });
    let outcome: ObjectOutcome;
    try {
      const result = await rewrapS3Object(keys, s3, { bucket, key }, options);
      outcome = {
        key,
        outcome: result.rewritten ? 'rewrapped' : 'skipped',
        keyVersion: result.keyVersion,
        bytesTransferred: result.bytesTransferred,
      };
    } catch (error) {
      signal?.throwIfAborted();
      return settle({ key, outcome: 'failed', error });
    }
    if (checkpoint) await appendFile(checkpoint, `${JSON.stringify({ bucket, key, outcome: outcome.outcome })}\n`);
    settle(outcome);
  };
  let next = 0;
  const worker = async () => {
    while (next < objects.length) await one(objects[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, objects.length) }, worker));
  return { objects: objects.length, ...counts, failed };
}

async function listKeys(s3: S3Client, bucket: string, prefix: string, signal: AbortSignal | undefined): Promise<string[]> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }), { abortSignal: signal });
    for (const object of page.Contents ?? []) if (object.Key !== undefined && !object.Key.endsWith('/')) keys.push(object.Key);
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys;
}

/** The keys of `bucket` a checkpoint records as done; a line cut short by a crash is ignored. */
async function recordedDone(checkpoint: string, bucket: string): Promise<Set<string>> {
  const text = await readFile(checkpoint, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const done = new Set<string>();
  for (const line of text.split('\n')) {
    const entry = parseLine(line);
    if (entry?.bucket === bucket && typeof entry.key === 'string') done.add(entry.key);
  }
  return done;
}

function parseLine(line: string): { bucket?: unknown; key?: unknown } | undefined {
  try {
    return JSON.parse(line) as { bucket?: unknown; key?: unknown };
  } catch {
    return undefined;
  }
}
