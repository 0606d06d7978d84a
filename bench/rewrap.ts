import type { AddressInfo } from 'node:net';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_CACHE_LIMITS } from '../lambdas/domain/data-key-provider.js';
import type { EnvelopeClient } from '../packages/client/src/index.js';
import { countingProxy } from '../test/support/counting-proxy.js';
import { startMotoServer } from '../test/support/moto-server.js';
import { copy, quietDisk, timeUntilDurable } from './file-tools.js';
import { fromEnv, type Spread, spread } from './measure.js';
import { writeRandomFile } from './file-throughput.js';

/** Rewrapping after a rotation: a file by its header, and an S3 object by server-side copies. */
export interface RewrapFigures {
  readonly fileMiB: number;
  /** `rewrapFile` into another file, until synced, each round; and `cp` of the same file, the floor of any rewrite. */
  readonly fileSeconds: Spread;
  readonly copySeconds: Spread;
  /** What crossed the network (both ways) to rewrap the same file as an S3 object, on moto_server, counted by a proxy. */
  readonly s3BytesTransferred: number;
}

/** 1 GiB: BENCH_REWRAP_MIB for a quick run. */
const FILE_MIB = fromEnv('BENCH_REWRAP_MIB', 1024);
const ROUNDS = 3;
const MIB = 1024 * 1024;

/** A file under version 1 of a key rotated since: made early, so that the functions' caches have seen the rotation when it is measured. */
export interface RewrapSetup {
  readonly owner: EnvelopeClient;
  readonly dir: string;
  readonly keyId: string;
  readonly currentVersion: number;
}

export async function prepareRewrap(owner: EnvelopeClient): Promise<RewrapSetup> {
  const dir = await mkdtemp(join(tmpdir(), 'envelope-rewrap-bench-'));
  const { keyId } = await owner.createKey({ description: 'bench: rewrap' });
  await writeRandomFile(join(dir, 'plain.bin'), FILE_MIB * MIB);
  await owner.encryptFile(join(dir, 'plain.bin'), join(dir, 'old.env'), { keyId });
  await rm(join(dir, 'plain.bin'));
  const { currentVersion } = await owner.rotateKey(keyId);
  return { owner, dir, keyId, currentVersion };
}

export async function measureRewrap({ owner, dir, keyId, currentVersion }: RewrapSetup): Promise<RewrapFigures> {
  try {
    await untilCurrent(owner, keyId, currentVersion);
    const fileSeconds: number[] = [];
    const copySeconds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await quietDisk();
      const started = performance.now();
      const { keyVersion } = await owner.rewrapFile(join(dir, 'old.env'), join(dir, 'new.env')); // synced when it resolves
      fileSeconds.push((performance.now() - started) / 1000);
      if (keyVersion !== currentVersion) throw new Error(`The rewrap gave version ${keyVersion}, not ${currentVersion}.`);
      await rm(join(dir, 'new.env'));
      copySeconds.push((await timeUntilDurable(copy.encrypt(join(dir, 'old.env'), join(dir, 'copy.env')), dir)).seconds);
      await rm(join(dir, 'copy.env'));
    }
    return {
      fileMiB: FILE_MIB,
      fileSeconds: spread(fileSeconds),
      copySeconds: spread(copySeconds),
      s3BytesTransferred: await s3Rewrap(owner, join(dir, 'old.env')),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Waits, at most a cache age and a little, until the functions encrypt under the rotated version. */
async function untilCurrent(owner: EnvelopeClient, keyId: string, version: number): Promise<void> {
  const deadline = Date.now() + (DEFAULT_CACHE_LIMITS.maxAgeSeconds + 10) * 1000;
  while ((await owner.encrypt(keyId, 'probe')).keyVersion !== version) {
    if (Date.now() > deadline) throw new Error(`Encryption under ${keyId} never reached version ${version}.`);
    await sleep(1000);
  }
}

/** The file uploaded to moto_server, then rewrapped there through a proxy that counts every body byte. */
async function s3Rewrap(owner: EnvelopeClient, file: string): Promise<number> {
  const moto = await startMotoServer();
  let counted = 0;
  const proxy = countingProxy(new URL(moto.endpoint), (bytes) => (counted += bytes));
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const client = (endpoint: string) => new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: moto.credentials });
  const direct = client(moto.endpoint);
  const proxied = client(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
  try {
    await direct.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const size = (await stat(file)).size;
    await new Upload({ client: direct, params: { Bucket: 'bench', Key: 'object.env', Body: createReadStream(file), ContentLength: size } }).done();
    const { rewritten } = await owner.rewrapS3Object(proxied, { bucket: 'bench', key: 'object.env' });
    if (!rewritten) throw new Error('The S3 object was not rewrapped.');
    return counted;
  } finally {
    direct.destroy();
    proxied.destroy();
    proxy.close();
    moto.stop();
  }
}
