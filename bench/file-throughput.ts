import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';
import { EnvelopeClient } from '../packages/client/src/index.js';

/** Streaming a 1 GiB file from disk to disk: the client's file format against its anchors, in the same run. */
export interface FileThroughput {
  readonly mibPerSecond: { envelopeEncrypt: number; envelopeDecrypt: number; rawEncrypt: number; rawDecrypt: number; encryptionSdkEncrypt: number };
  /** The same streams from memory to nowhere (256 MiB): what the format costs when no disk sets the pace. */
  readonly inMemoryMibPerSecond: { envelopeEncrypt: number; rawEncrypt: number; encryptionSdkEncrypt: number };
  readonly apiCalls: { encrypt: number; decrypt: number };
  /** The `envelope encrypt-file` process, and the library in a default `node` process. */
  readonly encryptPeakRssMiB: { readonly cli: number; readonly library: number };
}

const FILE_BYTES = 1024 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const run = promisify(execFile);

/** A client that counts its API requests, as the gateway would. */
class CountingClient extends EnvelopeClient {
  requests = 0;
  override request<T>(...args: Parameters<EnvelopeClient['request']>): Promise<T> {
    this.requests++;
    return super.request<T>(...args);
  }
}

/** Each figure is the best of this many runs: the first run of each kind also warms the page cache and the JIT. */
const ROUNDS = 2;

export async function measureFileThroughput(
  options: NonNullable<ConstructorParameters<typeof EnvelopeClient>[0]>,
  keyId: string,
): Promise<FileThroughput> {
  const dir = await mkdtemp(join(tmpdir(), 'envelope-file-bench-'));
  const path = (name: string) => join(dir, name);
  try {
    await writeRandomFile(path('plain.bin'));
    const encryptPeakRssMiB = await peakRssOfEncryptingProcesses(options, keyId, path('plain.bin'), path('rss.enc'));
    await removeOutputs(path('rss.enc'));
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
    const encryptRequests = encrypting.requests;
    return {
      mibPerSecond: best,
      inMemoryMibPerSecond: await inMemoryThroughput(encrypting, keyId),
      apiCalls: { encrypt: encryptRequests / ROUNDS, decrypt: decrypting.requests / ROUNDS },
      encryptPeakRssMiB,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function mibPerSecond(work: () => Promise<unknown>, bytes = FILE_BYTES): Promise<number> {
  const start = performance.now();
  await work();
  return bytes / 1024 / 1024 / ((performance.now() - start) / 1000);
}

const IN_MEMORY_BYTES = 256 * CHUNK;

async function inMemoryThroughput(client: EnvelopeClient, keyId: string): Promise<FileThroughput['inMemoryMibPerSecond']> {
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

async function writeRandomFile(path: string): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (let written = 0; written < FILE_BYTES; written += 16 * CHUNK) await file.write(randomBytes(16 * CHUNK));
  } finally {
    await file.close();
  }
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

const DIST = new URL('../packages/client/dist/packages/client/src/', import.meta.url);

/**
 * Peak resident set (VmHWM) of a fresh process encrypting the file, with the package as built for
 * install: the `envelope` CLI, run with the Node flags of its shebang, and the library in a plain
 * `node` process.
 */
async function peakRssOfEncryptingProcesses(
  options: NonNullable<ConstructorParameters<typeof EnvelopeClient>[0]>,
  keyId: string,
  input: string,
  output: string,
): Promise<{ cli: number; library: number }> {
  await run('npm', ['run', 'build', '-w', '@envelope-api/client'], { cwd: new URL('..', import.meta.url).pathname });
  const { accessKeyId, secretAccessKey } = options.credentials as { accessKeyId: string; secretAccessKey: string };
  const env = {
    ...process.env,
    ENVELOPE_API_URL: options.endpoint,
    AWS_REGION: options.region,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
  };
  const main = fileURLToPath(new URL('cli/main.js', DIST));
  const [, ...nodeFlags] = (await readFile(main, 'utf8')).split('\n')[0]!.replace('#!/usr/bin/env -S ', '').split(' ');
  const cli = await run(
    process.execPath,
    [...nodeFlags, fileURLToPath(new URL('../bench/max-rss.mjs', import.meta.url)), main, 'encrypt-file', '-q', '-k', keyId, input, output],
    { env },
  );
  const script = `
    import { EnvelopeClient } from ${JSON.stringify(new URL('index.js', DIST).href)};
    import { peakRssKiB } from ${JSON.stringify(new URL('./max-rss.mjs', import.meta.url).href)};
    await new EnvelopeClient(JSON.parse(process.env.CLIENT_OPTIONS)).encryptFile(process.env.INPUT, process.env.OUTPUT, { keyId: process.env.KEY_ID });
    console.log(peakRssKiB());
  `;
  const library = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, CLIENT_OPTIONS: JSON.stringify(options), INPUT: input, OUTPUT: output, KEY_ID: keyId },
  });
  return { cli: Number(cli.stdout.trim()) / 1024, library: Number(library.stdout.trim()) / 1024 };
}
