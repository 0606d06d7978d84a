import { createCipheriv, randomBytes } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import { writeFile } from 'node:fs/promises';
import type { ClientRequest } from 'node:http';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';
import { EnvelopeClient } from '../packages/client/src/index.js';
import { type FileRun, type ProcessFigures, ROUNDS } from './file-throughput.js';
import { fromEnv, spread } from './measure.js';

/**
 * Run by bench/file-throughput.ts in a process of its own: the client's encrypt stream against raw
 * AES-256-GCM and the Encryption SDK from memory to nowhere, and the API calls a file costs.
 */
const { options, keyId, dir } = JSON.parse(process.env.FILE_RUN!) as FileRun;

/**
 * The API requests this process sends, as the gateway would count them: every request to its origin
 * that Node's HTTP client (which the client uses) or fetch starts, as their diagnostics channels
 * report them.
 */
let apiRequests = 0;
const api = new URL(options.endpoint!);
subscribe('http.client.request.start', (message) => {
  const { request } = message as { request: ClientRequest };
  if (request.host === api.hostname && request.getHeader('host') === api.host) apiRequests++;
});
subscribe('undici:request:create', (message) => {
  const { request } = message as { request: { origin: string } };
  if (request.origin === api.origin) apiRequests++;
});

const CHUNK = 1024 * 1024;
/** BENCH_MEMORY_MIB for a quick run. */
const IN_MEMORY_CHUNKS = fromEnv('BENCH_MEMORY_MIB', 512);
/** Rounds run first, to warm the JIT, and left out. */
const WARM_ROUNDS = 2;

async function inMemoryRounds(transform: () => Promise<NodeJS.ReadWriteStream> | NodeJS.ReadWriteStream): Promise<number[]> {
  const chunk = randomBytes(CHUNK);
  const rates: number[] = [];
  for (let round = 0; round < WARM_ROUNDS + ROUNDS; round++) {
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < IN_MEMORY_CHUNKS; i++) yield chunk;
      })(),
    );
    const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const stream = await transform();
    const start = performance.now();
    await pipeline(source, stream, discard);
    rates.push(IN_MEMORY_CHUNKS / ((performance.now() - start) / 1000));
  }
  return rates.slice(WARM_ROUNDS);
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

/** Requests sent while `work` ran. */
async function requestsOf(work: () => Promise<unknown>): Promise<number> {
  const before = apiRequests;
  await work();
  return apiRequests - before;
}

async function apiCallsPerFile(): Promise<ProcessFigures['apiCalls']> {
  const client = new EnvelopeClient(options);
  await writeFile(`${dir}/calls.bin`, randomBytes(16 * CHUNK));
  return {
    encrypt: await requestsOf(() => client.encryptFile(`${dir}/calls.bin`, `${dir}/calls.enc`, { keyId })),
    decrypt: await requestsOf(() => client.decryptFile(`${dir}/calls.enc`, `${dir}/calls.dec`)),
  };
}

const client = new EnvelopeClient(options);
const result: ProcessFigures = {
  inMemoryMibPerSecond: {
    envelopeEncrypt: spread(await inMemoryRounds(() => client.encryptStream({ keyId }))),
    rawEncrypt: spread(await inMemoryRounds(() => createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12)))),
    encryptionSdkEncrypt: spread(await inMemoryRounds(encryptionSdkStream)),
  },
  apiCalls: await apiCallsPerFile(),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
