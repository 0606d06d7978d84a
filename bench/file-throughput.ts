import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';
import { EnvelopeClient } from '../packages/client/src/index.js';

/** Streaming a 1 GiB file from disk to disk: the client's file format against its anchors, in the same run. */
export interface FileThroughput {
  readonly mibPerSecond: { envelopeEncrypt: number; envelopeDecrypt: number; rawEncrypt: number; rawDecrypt: number; encryptionSdkEncrypt: number };
  readonly apiCalls: { encrypt: number; decrypt: number };
  readonly encryptPeakRssMiB: number;
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

export async function measureFileThroughput(options: ConstructorParameters<typeof EnvelopeClient>[0], keyId: string): Promise<FileThroughput> {
  const dir = await mkdtemp(join(tmpdir(), 'envelope-file-bench-'));
  try {
    const input = join(dir, 'plain.bin');
    await writeRandomFile(input);
    const timed = async (work: () => Promise<unknown>) => {
      const start = performance.now();
      await work();
      return FILE_BYTES / 1024 / 1024 / ((performance.now() - start) / 1000);
    };
    const key = randomBytes(32);
    const iv = randomBytes(12);
    let tag = Buffer.alloc(16);
    const rawEncrypt = await timed(async () => {
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      await pipeline(createReadStream(input, { highWaterMark: CHUNK }), cipher, createWriteStream(join(dir, 'raw.enc')));
      tag = cipher.getAuthTag();
    });
    const rawDecrypt = await timed(() =>
      pipeline(
        createReadStream(join(dir, 'raw.enc'), { highWaterMark: CHUNK }),
        createDecipheriv('aes-256-gcm', key, iv).setAuthTag(tag),
        createWriteStream(join(dir, 'raw.dec')),
      ),
    );
    const encrypting = new CountingClient(options);
    const envelopeEncrypt = await timed(() => encrypting.encryptFile(input, join(dir, 'env.enc'), { keyId }));
    const decrypting = new CountingClient(options);
    const envelopeDecrypt = await timed(() => decrypting.decryptFile(join(dir, 'env.enc'), join(dir, 'env.dec')));
    const encryptionSdkEncrypt = await timed(() => encryptionSdkFile(input, join(dir, 'sdk.enc')));
    return {
      mibPerSecond: { envelopeEncrypt, envelopeDecrypt, rawEncrypt, rawDecrypt, encryptionSdkEncrypt },
      apiCalls: { encrypt: encrypting.requests, decrypt: decrypting.requests },
      encryptPeakRssMiB: await peakRssOfEncryptingProcess(options, keyId, input, join(dir, 'rss.enc')),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
async function encryptionSdkFile(input: string, output: string): Promise<void> {
  const { encryptStream } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new RawAesKeyringNode({
    keyName: 'bench',
    keyNamespace: 'bench',
    unencryptedMasterKey: randomBytes(32),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  await pipeline(
    createReadStream(input, { highWaterMark: CHUNK }),
    encryptStream(keyring, { suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY }),
    createWriteStream(output),
  );
}

/**
 * Encrypts the file in a fresh process, with the package as built for install (no TypeScript
 * loader), and reads its peak resident set (maxRSS, in KiB).
 */
async function peakRssOfEncryptingProcess(
  options: ConstructorParameters<typeof EnvelopeClient>[0],
  keyId: string,
  input: string,
  output: string,
): Promise<number> {
  const script = `
    import { EnvelopeClient } from ${JSON.stringify(new URL('../packages/client/dist/packages/client/src/index.js', import.meta.url).href)};
    const options = JSON.parse(process.env.CLIENT_OPTIONS);
    await new EnvelopeClient(options).encryptFile(process.env.INPUT, process.env.OUTPUT, { keyId: process.env.KEY_ID });
    console.log(process.resourceUsage().maxRSS);
  `;
  await run('npm', ['run', 'build', '-w', '@envelope-api/client'], { cwd: new URL('..', import.meta.url).pathname });
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, CLIENT_OPTIONS: JSON.stringify(options), INPUT: input, OUTPUT: output, KEY_ID: keyId },
    maxBuffer: 1024 * 1024,
  });
  return Number(stdout.trim()) / 1024;
}
