import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { EnvelopeClient } from '../packages/client/src/index.js';

type ClientOptions = NonNullable<ConstructorParameters<typeof EnvelopeClient>[0]>;

/** Streaming a 1 GiB file from disk to disk: the client's file format against its anchors, in the same run. */
export interface FileThroughputFigures {
  readonly mibPerSecond: { envelopeEncrypt: number; envelopeDecrypt: number; rawEncrypt: number; rawDecrypt: number; encryptionSdkEncrypt: number };
  /** The same streams from memory to nowhere (256 MiB): what the format costs when no disk sets the pace. */
  readonly inMemoryMibPerSecond: { envelopeEncrypt: number; rawEncrypt: number; encryptionSdkEncrypt: number };
  readonly apiCalls: { encrypt: number; decrypt: number };
}

export interface FileThroughput extends FileThroughputFigures {
  /** The `envelope encrypt-file` process, and the library in a default `node` process. */
  readonly encryptPeakRssMiB: { readonly cli: number; readonly library: number };
}

/** What bench/file-throughput-process.ts is given. */
export interface FileRun {
  readonly options: ClientOptions;
  readonly keyId: string;
  /** Holds `plain.bin`, the 1 GiB input. */
  readonly dir: string;
}

export const FILE_BYTES = 1024 * 1024 * 1024;
export const CHUNK = 1024 * 1024;
const run = promisify(execFile);

export async function measureFileThroughput(options: ClientOptions, keyId: string): Promise<FileThroughput> {
  const dir = await mkdtemp(join(tmpdir(), 'envelope-file-bench-'));
  try {
    await writeRandomFile(join(dir, 'plain.bin'));
    const encryptPeakRssMiB = await peakRssOfEncryptingProcesses(options, keyId, join(dir, 'plain.bin'), join(dir, 'rss.enc'));
    await rm(join(dir, 'rss.enc'), { force: true });
    // The same loader flags (tsx's) as this process, in a process of its own.
    const child = await run(process.execPath, [...process.execArgv, fileURLToPath(new URL('./file-throughput-process.ts', import.meta.url))], {
      env: { ...process.env, FILE_RUN: JSON.stringify({ options, keyId, dir } satisfies FileRun) },
      maxBuffer: 1024 * 1024,
    });
    return { ...(JSON.parse(child.stdout) as FileThroughputFigures), encryptPeakRssMiB };
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
