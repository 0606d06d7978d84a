import { createCipheriv, randomBytes } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import { writeFile } from 'node:fs/promises';
import type { ClientRequest } from 'node:http';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';
import { EnvelopeClient } from '../packages/client/src/index.js';
import type { FileRun, ProcessFigures } from './file-throughput.js';
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
const IN_MEMORY_CHUNKS = fromEnv('BENCH_MEMORY_MIB', 1024);
/** Rounds of the in-memory streams: more than the files', as a pass takes a fraction of a second. */
const IN_MEMORY_ROUNDS = 9;
/** Rounds run first, to warm the JIT, and left out. */
const WARM_ROUNDS = 2;

type StreamFactory = () => Promise<NodeJS.ReadWriteStream> | NodeJS.ReadWriteStream;

/** MiB per second of one pass of IN_MEMORY_CHUNKS through a fresh stream. */
async function inMemoryRate(transform: StreamFactory, chunk: Buffer): Promise<number> {
  const source = Readable.from(
    (function* () {
      for (let i = 0; i < IN_MEMORY_CHUNKS; i++) yield chunk;
    })(),
  );
  const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const stream = await transform();
  const start = performance.now();
  await pipeline(source, stream, discard);
  return IN_MEMORY_CHUNKS / ((performance.now() - start) / 1000);
}

/**
 * Each stream's rates, in rounds that take the streams in turn (one pass of each per round, the
 * order reversed every other round), so that a machine getting faster or slower, as a shared VM's
 * cores do, weighs on all of them alike, and no stream always runs in the garbage of another.
 */
async function inMemoryRounds<K extends string>(streams: Record<K, StreamFactory>): Promise<Record<K, number[]>> {
  const chunk = randomBytes(CHUNK);
  const rates = Object.fromEntries(Object.keys(streams).map((name) => [name, [] as number[]])) as Record<K, number[]>;
  const order = Object.entries<StreamFactory>(streams);
  for (let round = 0; round < WARM_ROUNDS + IN_MEMORY_ROUNDS; round++) {
    for (const [name, transform] of round % 2 === 0 ? order : [...order].reverse()) {
      const rate = await inMemoryRate(transform, chunk);
      if (round >= WARM_ROUNDS) rates[name as K].push(rate);
    }
  }
  return rates;
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
// The client's stream and the raw cipher alternate, as the ratio with a target compares them; the
// SDK's rounds come after, its garbage kept out of theirs.
const rates = {
  ...(await inMemoryRounds({
    envelopeEncrypt: () => client.encryptStream({ keyId }),
    rawEncrypt: () => createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12)),
  })),
  ...(await inMemoryRounds({ encryptionSdkEncrypt: encryptionSdkStream })),
};
const result: ProcessFigures = {
  inMemoryMibPerSecond: {
    envelopeEncrypt: spread(rates.envelopeEncrypt),
    rawEncrypt: spread(rates.rawEncrypt),
    encryptionSdkEncrypt: spread(rates.encryptionSdkEncrypt),
  },
  apiCalls: await apiCallsPerFile(),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
