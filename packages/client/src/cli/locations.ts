import { stat } from 'node:fs/promises';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { isDirectory } from '../file-io.js';
import { UsageError } from './errors.js';
import { regionOf } from '../target.js';
import type { GlobalOptions } from './globals.js';
import { stdinStream } from './stdin.js';

/** Where file commands read and write: a local path, `-` (stdin or stdout), or `s3://bucket/key`. */
export type Location =
  | { readonly kind: 'stdio' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string };

export function parseLocation(text: string): Location {
  if (text === '-') return { kind: 'stdio' };
  if (text.startsWith('s3://')) {
    const rest = text.slice('s3://'.length);
    const slash = rest.indexOf('/');
    if (slash <= 0 || slash === rest.length - 1) throw new UsageError(`Expected s3://bucket/key, got "${text}".`);
    return { kind: 's3', bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
  }
  if (text === '') throw new UsageError('Expected a path, `-` or s3://bucket/key.');
  return { kind: 'file', path: text };
}

export const describeLocation = (location: Location, stdio: 'stdin' | 'stdout'): string =>
  location.kind === 'stdio' ? stdio : location.kind === 'file' ? location.path : `s3://${location.bucket}/${location.key}`;

/**
 * S3 with the usual AWS settings (credentials chain, AWS_REGION); `AWS_ENDPOINT_URL_S3` points it
 * elsewhere (moto, MinIO…), path-style since such endpoints have no bucket subdomains.
 */
export async function s3Client(options: GlobalOptions): Promise<S3Client> {
  const endpoint = process.env.AWS_ENDPOINT_URL_S3;
  // Loaded only for s3:// locations: the S3 client is most of the CLI's memory at rest.
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({ region: regionOf(options.region) ?? 'us-east-1', ...(endpoint && { endpoint, forcePathStyle: true }) });
}

/** An input: a path (which the client reads itself) or a stream, and its size when known beforehand. */
export interface Source {
  readonly input: string | Readable;
  /** Bytes in all, when known beforehand. */
  readonly size?: number;
}

export async function openSource(location: Location, s3: () => Promise<S3Client>): Promise<Source> {
  switch (location.kind) {
    case 'stdio':
      return { input: stdinStream() };
    case 'file': {
      // Looked at now, so that a missing input or a directory fails before any API call is made.
      const stats = await stat(location.path);
      if (stats.isDirectory()) throw isDirectory(location.path, 'read');
      return { input: location.path, size: stats.size };
    }
    case 's3': {
      const { GetObjectCommand } = await import('@aws-sdk/client-s3');
      const object = await (await s3()).send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
      return { input: object.Body as Readable, size: object.ContentLength };
    }
  }
}

/** A local output that is an existing directory is refused before anything is read or asked of the API. */
export async function checkOutput(location: Location): Promise<void> {
  if (location.kind !== 'file') return;
  const stats = await stat(location.path).catch(() => undefined);
  if (stats?.isDirectory()) throw isDirectory(location.path, 'open');
}

/** Part size: S3 allows 10,000 parts, so a known large input gets larger parts. */
const MIN_PART_SIZE = 8 * 1024 * 1024;
export const partSizeFor = (size: number | undefined): number => Math.max(MIN_PART_SIZE, Math.ceil((size ?? 0) / 9_000));

/**
 * Runs `write` into an output: a path (the client writes it under a temporary name and renames it
 * once complete), stdout, or an S3 object uploaded as it is written (multipart beyond one part). A
 * failed write aborts the upload: no object is created, and no multipart upload is left behind.
 */
export async function writeTo(
  location: Location,
  s3: () => Promise<S3Client>,
  size: number | undefined,
  write: (output: string | Writable) => Promise<void>,
): Promise<void> {
  if (location.kind === 'file') return write(location.path);
  if (location.kind === 'stdio') return write(process.stdout);
  const body = new PassThrough();
  const { Upload } = await import('@aws-sdk/lib-storage');
  const upload = new Upload({
    client: await s3(),
    params: { Bucket: location.bucket, Key: location.key, Body: body, ContentType: 'application/octet-stream' },
    partSize: partSizeFor(size),
    queueSize: 4,
    leavePartsOnError: false,
  });
  // An upload that fails stops reading: end the writer too, rather than let it wait forever.
  const uploaded = upload.done().catch((error: unknown) => {
    body.destroy(error as Error);
    throw error;
  });
  try {
    await Promise.all([write(body), uploaded]);
  } catch (error) {
    // Stop an upload still waiting for data (the pipeline, if it ran, has destroyed the body already),
    // let lib-storage abort the multipart upload it started, then abort whatever is left.
    body.destroy(error as Error);
    await uploaded.catch(() => {});
    await upload.abort();
    throw error;
  }
}
