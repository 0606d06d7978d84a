import type { CompletedPart, HeadObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { MAX_HEADER_LENGTH } from './file-format/constants.js';
import { invalidArgument } from './file-format/errors.js';
import { parseWholeHeader } from './file-format/rewrap-header.js';
import { headerFor, type KeyResealing, type RewrapFileOptions, type RewrapFileResult, resealedFor } from './rewrap-file.js';

/** An object in S3. */
export interface S3Object {
  readonly bucket: string;
  readonly key: string;
}

/** S3's smallest part but the last (5 MiB), and its largest (5 GiB). */
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;
const COPIES_AT_ONCE = 4;
/** S3 allows 10,000 parts: a larger object copies in larger parts. */
const copyPartSizeFor = (bytes: number) => Math.min(MAX_PART_SIZE, Math.max(512 * 1024 * 1024, Math.ceil(bytes / 9_000)));

export interface RewrapS3Options extends RewrapFileOptions {
  /** Bytes per server-side copy, 5 MiB to 5 GiB. @default 512 MiB, or more for an object past 4.5 TB (S3's 10,000 parts) */
  readonly copyPartSize?: number;
}

export interface RewrapS3Result extends RewrapFileResult {
  /** Bytes of the object this machine downloaded and uploaded: the header and the first part's, whatever the object's size. */
  readonly bytesTransferred: number;
}

/**
 * `rewrapFile` for an S3 object, in place: the header is read with a ranged GET; the new object is a
 * multipart upload to the same key whose first part is the new header and the body's first 5 MiB
 * (S3's smallest part) and whose other parts are server-side copies (`UploadPartCopy`) of the old
 * object's ranges, so a 100 GB object moves a few MiB over the network. Its metadata, the headers
 * it is served with, its storage class, server-side encryption and tags are kept. Every read and copy names the old object's ETag, and the upload completes
 * only if the object is still that one (`If-Match`): a concurrent change fails the run instead of
 * being overwritten. The object is replaced only when the upload completes; on any failure the
 * upload is aborted, leaving the old object as it was and no parts behind.
 */
export async function rewrapS3Object(keys: KeyResealing, s3: S3Client, object: S3Object, options: RewrapS3Options = {}): Promise<RewrapS3Result> {
  const { signal, copyPartSize } = options;
  if (copyPartSize !== undefined && !(Number.isInteger(copyPartSize) && copyPartSize >= MIN_PART_SIZE && copyPartSize <= MAX_PART_SIZE)) {
    throw invalidArgument(`The copy part size must be an integer from ${MIN_PART_SIZE} to ${MAX_PART_SIZE}.`);
  }
  signal?.throwIfAborted();
  const sdk = await import('@aws-sdk/client-s3');
  const head = await s3.send(new sdk.HeadObjectCommand({ Bucket: object.bucket, Key: object.key }), { abortSignal: signal });
  const size = head.ContentLength ?? 0;
  const etag = head.ETag!;
  const read = async (start: number, end: number) => {
    const range = new sdk.GetObjectCommand({ Bucket: object.bucket, Key: object.key, Range: `bytes=${start}-${end - 1}`, IfMatch: etag });
    const { Body } = await s3.send(range, { abortSignal: signal });
    return Buffer.from(await Body!.transformToByteArray());
  };
  const headerRead = Math.min(size, MAX_HEADER_LENGTH);
  const parsed = parseWholeHeader(await read(0, headerRead));
  const resealed = await resealedFor(keys, parsed, options);
  const result = { keyId: parsed.header.keyId, keyVersion: resealed.keyVersion, previousKeyVersion: parsed.header.keyVersion };
  if (resealed.keyVersion === parsed.header.keyVersion) return { ...result, rewritten: false, bytesTransferred: headerRead };
  const header = await headerFor(keys, parsed, resealed, signal);
  const firstEnd = Math.min(size, parsed.length + MIN_PART_SIZE);
  const first = Buffer.concat([header, await read(parsed.length, firstEnd)]);
  const target = { Bucket: object.bucket, Key: object.key };
  const settings = await kept(sdk, s3, target, head, signal);
  if (firstEnd === size) {
    await s3.send(new sdk.PutObjectCommand({ ...target, ...settings, Body: first, IfMatch: etag }), { abortSignal: signal });
  } else {
    const { UploadId } = await s3.send(new sdk.CreateMultipartUploadCommand({ ...target, ...settings }), { abortSignal: signal });
    try {
      const parts = await uploadParts(sdk, s3, { ...target, UploadId: UploadId! }, first, copyRanges(firstEnd, size, copyPartSize), etag, signal);
      await s3.send(new sdk.CompleteMultipartUploadCommand({ ...target, UploadId, MultipartUpload: { Parts: parts }, IfMatch: etag }), {
        abortSignal: signal,
      });
    } catch (error) {
      await s3.send(new sdk.AbortMultipartUploadCommand({ ...target, UploadId })).catch(() => undefined);
      throw error;
    }
  }
  const written = await s3.send(new sdk.HeadObjectCommand(target));
  if (written.ContentLength !== size - parsed.length + header.length) throw invalidArgument('The rewrapped object is not as long as it should be.');
  return { ...result, rewritten: true, bytesTransferred: headerRead + (firstEnd - parsed.length) + first.length };
}

/**
 * What the new object keeps of the old one: its metadata, the headers it is served with, its storage
 * class, its server-side encryption (the same KMS key, if one) and its tags.
 */
async function kept(
  sdk: typeof import('@aws-sdk/client-s3'),
  s3: S3Client,
  target: { Bucket: string; Key: string },
  head: HeadObjectCommandOutput,
  signal: AbortSignal | undefined,
) {
  const { Metadata, ContentType, ContentEncoding, ContentDisposition, ContentLanguage, CacheControl, StorageClass } = head;
  const { ServerSideEncryption, SSEKMSKeyId, BucketKeyEnabled } = head;
  const tags = head.TagCount ? (await s3.send(new sdk.GetObjectTaggingCommand(target), { abortSignal: signal })).TagSet : undefined;
  const Tagging = tags?.length ? new URLSearchParams(tags.map(({ Key, Value }): [string, string] => [Key!, Value ?? ''])).toString() : undefined;
  return {
    ...{ Metadata, ContentType, ContentEncoding, ContentDisposition, ContentLanguage, CacheControl, StorageClass },
    ...{ ServerSideEncryption, SSEKMSKeyId, BucketKeyEnabled, Tagging },
  };
}

/** The old object's ranges after the first part, `[start, end)` each, in parts S3 accepts. */
function copyRanges(from: number, size: number, partSize = copyPartSizeFor(size - from)): [number, number][] {
  const ranges: [number, number][] = [];
  for (let start = from; start < size; start += partSize) ranges.push([start, Math.min(size, start + partSize)]);
  return ranges;
}

async function uploadParts(
  sdk: typeof import('@aws-sdk/client-s3'),
  s3: S3Client,
  upload: { Bucket: string; Key: string; UploadId: string },
  first: Buffer,
  ranges: readonly [number, number][],
  etag: string,
  signal: AbortSignal | undefined,
): Promise<CompletedPart[]> {
  const uploaded = await s3.send(new sdk.UploadPartCommand({ ...upload, PartNumber: 1, Body: first }), { abortSignal: signal });
  const parts: CompletedPart[] = [{ PartNumber: 1, ETag: uploaded.ETag }];
  const source = `${upload.Bucket}/${encodeURIComponent(upload.Key)}`;
  const copyPart = async ([start, end]: readonly [number, number], index: number): Promise<CompletedPart> => {
    const PartNumber = index + 2;
    const copy = new sdk.UploadPartCopyCommand({
      ...upload,
      PartNumber,
      CopySource: source,
      CopySourceRange: `bytes=${start}-${end - 1}`,
      CopySourceIfMatch: etag,
    });
    return { PartNumber, ETag: (await s3.send(copy, { abortSignal: signal })).CopyPartResult?.ETag };
  };
  // A few copies at once: each is S3 copying up to gigabytes on its side, none of it through here.
  for (let next = 0; next < ranges.length; next += COPIES_AT_ONCE) {
    parts.push(...(await Promise.all(ranges.slice(next, next + COPIES_AT_ONCE).map((range, i) => copyPart(range, next + i)))));
  }
  return parts;
}
