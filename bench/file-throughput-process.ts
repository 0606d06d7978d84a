import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';
import { EnvelopeClient } from '../packages/client/src/index.js';
import { CHUNK, FILE_BYTES, type FileRun, type FileThroughputFigures } from './file-throughput.js';

/**
 * The file figures, run by bench/file-throughput.ts in a process of their own: the client library,
 * raw AES-256-GCM and the Encryption SDK in the same fresh process, one after another. Not in the
 * bench's own process, whose heap holds the whole local runtime: there, every collection that the
 * streams' buffer allocations set off walks that heap too, and every figure falls (4-6x in a probe),
 * by an amount that measures the bench rather than what a user's process pays.
 */
const { options, keyId, dir } = JSON.parse(process.env.FILE_RUN!) as FileRun;
const path = (name: string) => `${dir}/${name}`;

/** A client that counts its API requests, as the gateway would. */
class CountingClient extends EnvelopeClient {
  requests = 0;
  override request<T>(...args: Parameters<EnvelopeClient['request']>): Promise<T> {
    this.requests++;
    return super.request<T>(...args);
  }
}

/** Each figure is the best of this many runs: the first run of each kind also warms the page cache and the JIT. */
const ROUNDS = 3;

async function mibPerSecond(work: () => Promise<unknown>, bytes = FILE_BYTES): Promise<number> {
  const start = performance.now();
  await work();
  return bytes / 1024 / 1024 / ((performance.now() - start) / 1000);
}

const IN_MEMORY_BYTES = 256 * CHUNK;

async function inMemoryThroughput(client: EnvelopeClient, keyId: string): Promise<FileThroughputFigures['inMemoryMibPerSecond']> {
  const chunk = randomBytes(CHUNK);
  const source = () =>
    Readable.from(
      (function* () {
        for (let i = 0; i < IN_MEMORY_BYTES / CHUNK; i++) yield chunk;
      })(),
    );
  const discard = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const through = async (transform: () => Promise<NodeJS.ReadWriteStream> | NodeJS.ReadWriteStream) => {
    let best = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const stream = await transform();
      best = Math.max(best, await mibPerSecond(() => pipeline(source(), stream, discard()), IN_MEMORY_BYTES));
    }
    return best;
  };
  return {
    envelopeEncrypt: await through(() => client.encryptStream({ keyId })),
    rawEncrypt: await through(() => createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12))),
    encryptionSdkEncrypt: await through(encryptionSdkStream),
  };
}

/**
 * Outputs are deleted as soon as they have been read: several GiB of dirty pages would otherwise
 * make the kernel throttle whichever writer comes last, whatever its speed.
 */
const removeOutputs = (...paths: string[]) => Promise.all(paths.map((path) => rm(path, { force: true })));

/** The anchor: one AES-256-GCM stream over the whole file, from and to disk, as fast as node:crypto goes. */
async function rawRoundTrip(input: string, encrypted: string, decrypted: string): Promise<{ rawEncrypt: number; rawDecrypt: number }> {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  let tag = Buffer.alloc(16);
  const rawEncrypt = await mibPerSecond(async () => {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    await pipeline(createReadStream(input, { highWaterMark: CHUNK }), cipher, createWriteStream(encrypted));
    tag = cipher.getAuthTag();
  });
  const rawDecrypt = await mibPerSecond(() =>
    pipeline(
      createReadStream(encrypted, { highWaterMark: CHUNK }),
      createDecipheriv('aes-256-gcm', key, iv).setAuthTag(tag),
      createWriteStream(decrypted),
    ),
  );
  await removeOutputs(encrypted, decrypted);
  return { rawEncrypt, rawDecrypt };
}

/** The Encryption SDK's committing, non-signing suite, streaming under a raw AES keyring (no KMS in the loop). */
function encryptionSdkStream(): NodeJS.ReadWriteStream {
  const { encryptStream } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new RawAesKeyringNode({
    keyName: 'bench',
    keyNamespace: 'bench',
    unencryptedMasterKey: randomBytes(32),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  return encryptStream(keyring, { suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY });
}

async function encryptionSdkFile(input: string, output: string): Promise<void> {
  await pipeline(createReadStream(input, { highWaterMark: CHUNK }), encryptionSdkStream(), createWriteStream(output));
}

const encrypting = new CountingClient(options);
const decrypting = new CountingClient(options);
const best = { envelopeEncrypt: 0, envelopeDecrypt: 0, rawEncrypt: 0, rawDecrypt: 0, encryptionSdkEncrypt: 0 };
for (let round = 0; round < ROUNDS; round++) {
  const raw = await rawRoundTrip(path('plain.bin'), path('raw.enc'), path('raw.dec'));
  const envelopeEncrypt = await mibPerSecond(() => encrypting.encryptFile(path('plain.bin'), path('env.enc'), { keyId }));
  const envelopeDecrypt = await mibPerSecond(() => decrypting.decryptFile(path('env.enc'), path('env.dec')));
  await removeOutputs(path('env.enc'), path('env.dec'));
  const encryptionSdkEncrypt = await mibPerSecond(() => encryptionSdkFile(path('plain.bin'), path('sdk.enc')));
  await removeOutputs(path('sdk.enc'));
  const figures = { ...raw, envelopeEncrypt, envelopeDecrypt, encryptionSdkEncrypt };
  for (const name of Object.keys(best) as (keyof typeof best)[]) best[name] = Math.max(best[name], figures[name]);
}
const apiCalls = { encrypt: encrypting.requests / ROUNDS, decrypt: decrypting.requests / ROUNDS };
const result: FileThroughputFigures = { mibPerSecond: best, inMemoryMibPerSecond: await inMemoryThroughput(encrypting, keyId), apiCalls };
process.stdout.write(`${JSON.stringify(result)}\n`);
