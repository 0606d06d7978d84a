import { createCipheriv, hkdfSync } from 'node:crypto';
import { Readable, Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createDecryptStream,
  createEncryptStream,
  type DecryptStreamOptions,
  type EncryptStreamOptions,
} from '../../packages/client/src/file-format/index.js';

/** Throwaway test keys: never a key of any deployment. */
export const DATA_KEY = Buffer.alloc(32, 0x42);
export const OTHER_DATA_KEY = Buffer.alloc(32, 0x43);

export const fcOptions = (numRuns: number) => ({ seed: 0x5eed_f11e, numRuns });

/** Splits `bytes` into chunks of the given sizes, cycling through them. */
export function chunked(bytes: Buffer, sizes: readonly number[] = [bytes.length || 1]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0, i = 0; offset < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]!);
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

export async function runThrough(transform: Transform, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), transform, collectInto(out));
  return Buffer.concat(out);
}

export type EncryptOptions = Partial<EncryptStreamOptions>;

export const encryptOptions = (options: EncryptOptions = {}): EncryptStreamOptions => ({
  dataKey: DATA_KEY,
  encryptedKey: 'ev2.dGVzdC1rZXk',
  keyId: 'key-1',
  keyVersion: 1,
  context: { tenant: 'acme' },
  ...options,
});

export const encrypt = (plaintext: Buffer, options?: EncryptOptions, chunkSizes?: number[]) =>
  runThrough(createEncryptStream(encryptOptions(options)), chunked(plaintext, chunkSizes));

export type DecryptOptions = Partial<DecryptStreamOptions> & { dataKey?: Buffer };

export const decryptOptions = ({ dataKey = DATA_KEY, ...options }: DecryptOptions = {}): DecryptStreamOptions => ({
  unwrapKey: async () => Buffer.from(dataKey),
  ...options,
});

export const decrypt = (file: Buffer, options?: DecryptOptions, chunkSizes?: number[]) =>
  runThrough(createDecryptStream(decryptOptions(options)), chunked(file, chunkSizes));

/** The header's length, read from its length fields as docs/file-format.md lays them out. */
export function headerLength(file: Buffer): number {
  let offset = 4 + 1 + 32;
  for (let field = 0; field < 3; field++) offset += 2 + file.readUInt16BE(offset); // context, encrypted key, key id
  return offset + 4 + 4 + 32 + 16; // key version, frame size, commitment, tag
}

/** Splits a file into its header and its frames (each with its own header and tag). */
export function splitFile(file: Buffer): { header: Buffer; frames: Buffer[] } {
  const length = headerLength(file);
  const frameSize = file.readUInt32BE(length - 16 - 32 - 4); // before commitment and tag
  const frames: Buffer[] = [];
  let offset = length;
  while (offset < file.length) {
    const isFinal = file.readUInt32BE(offset) === 0xffff_ffff;
    const size = isFinal ? 24 + file.readUInt32BE(offset + 20) + 16 : 16 + frameSize + 16;
    frames.push(file.subarray(offset, offset + size));
    offset += size;
  }
  return { header: file.subarray(0, length), frames };
}

export interface ReferenceFile {
  dataKey: Buffer;
  messageId: Buffer;
  encryptedKey: string;
  keyId: string;
  keyVersion: number;
  context: Record<string, string>;
  frameSize: number;
  plaintext: Buffer;
}

/**
 * An independent encoder written from docs/file-format.md with plain node:crypto, nothing of the
 * module under test. The overrides build files a correct encoder never writes, with a valid header
 * auth tag: an unsorted context, a final frame of a whole frame size, a commitment that does not match.
 */
export function referenceEncrypt(file: ReferenceFile, overrides: { encodedContext?: Buffer; frames?: Buffer[]; commitment?: Buffer } = {}): Buffer {
  const { dataKey, messageId, frameSize, plaintext } = file;
  const hkdf = (info: string) => Buffer.from(hkdfSync('sha256', dataKey, messageId, Buffer.from(info, 'ascii'), 32));
  const key = hkdf('envelope-file/1 AES-256-GCM HKDF-SHA256 DERIVEKEY');
  const commitment = overrides.commitment ?? hkdf('envelope-file/1 AES-256-GCM HKDF-SHA256 COMMITKEY');
  const context = overrides.encodedContext ?? referenceContext(file.context);
  const encryptedKey = Buffer.from(file.encryptedKey, 'ascii');
  const keyId = Buffer.from(file.keyId, 'utf8');
  const headerBody = Buffer.concat([
    Buffer.from('ENVF', 'ascii'),
    Buffer.of(1),
    messageId,
    u16(context.length),
    context,
    u16(encryptedKey.length),
    encryptedKey,
    u16(keyId.length),
    keyId,
    u32(file.keyVersion),
    u32(frameSize),
    commitment,
  ]);
  const gcm = (iv: Buffer, aad: Buffer, data: Buffer) => {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad);
    return { ciphertext: Buffer.concat([cipher.update(data), cipher.final()]), tag: cipher.getAuthTag() };
  };
  const parts: Buffer[] = [headerBody, gcm(Buffer.alloc(12), headerBody, Buffer.alloc(0)).tag];
  const frames = overrides.frames ?? canonicalFrames(plaintext, frameSize);
  frames.forEach((content, index) => {
    const sequenceNumber = index + 1;
    const isFinal = index === frames.length - 1;
    const iv = Buffer.concat([Buffer.alloc(8), u32(sequenceNumber)]);
    const label = Buffer.from(isFinal ? 'EnvelopeFile Final Frame' : 'EnvelopeFile Frame', 'ascii');
    const aad = Buffer.concat([messageId, label, u32(sequenceNumber), u32(0), u32(content.length)]);
    const { ciphertext, tag } = gcm(iv, aad, content);
    const frameHeader = isFinal ? [u32(0xffff_ffff), u32(sequenceNumber), iv, u32(content.length)] : [u32(sequenceNumber), iv];
    parts.push(...frameHeader, ciphertext, tag);
  });
  return Buffer.concat(parts);
}

/** Whole frames, then the rest (possibly empty) as the final frame. */
function canonicalFrames(plaintext: Buffer, frameSize: number): Buffer[] {
  const frames: Buffer[] = [];
  let offset = 0;
  for (; plaintext.length - offset >= frameSize; offset += frameSize) frames.push(plaintext.subarray(offset, offset + frameSize));
  frames.push(plaintext.subarray(offset));
  return frames;
}

export function referenceContext(context: Record<string, string>, order: 'utf8' | 'as-given' = 'utf8'): Buffer {
  const pairs = Object.entries(context).map(([k, v]) => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')] as const);
  if (order === 'utf8') pairs.sort(([a], [b]) => Buffer.compare(a, b));
  return Buffer.concat([u16(pairs.length), ...pairs.flatMap(([k, v]) => [u16(k.length), k, u16(v.length), v])]);
}

function u16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value);
  return bytes;
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/** A sink that keeps every chunk written to it. */
export function collectInto(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
}
