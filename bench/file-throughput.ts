import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { EnvelopeClient } from '../packages/client/src/index.js';
import { age, copy, envelopeCli, type FileTool, opensslCtr, timeUntilDurable } from './file-tools.js';
import { fromEnv, type Spread, spread } from './measure.js';

type ClientOptions = NonNullable<ConstructorParameters<typeof EnvelopeClient>[0]>;

/** A file encrypted and decrypted, disk to disk, by each tool in the same run; a plain copy beside them. */
export interface FileThroughput {
  readonly fileMiB: number;
  /** Each tool's, `cp` (a plain copy in both places) among them. */
  readonly seconds: Readonly<Record<string, { readonly encrypt: Spread; readonly decrypt: Spread }>>;
  /** `envelope encrypt-file` and `decrypt-file`, each round. */
  readonly peakRssMiB: { readonly encrypt: readonly number[]; readonly decrypt: readonly number[] };
  /** The same streams from memory to nowhere: what the format costs when no disk sets the pace. */
  readonly inMemoryMibPerSecond: InMemoryFigures;
  readonly apiCalls: { readonly encrypt: number; readonly decrypt: number };
}

/** MiB/s of each round. */
export interface InMemoryFigures {
  readonly envelopeEncrypt: Spread;
  /** The cryptographic limit: one AES-256-GCM stream, nothing else. */
  readonly rawEncrypt: Spread;
  /** The AWS Encryption SDK's encryptStream (committing, non-signing suite, raw AES keyring: no KMS in the loop). */
  readonly encryptionSdkEncrypt: Spread;
}

/** What bench/file-throughput-process.ts is given, and answers. */
export interface FileRun {
  readonly options: ClientOptions;
  readonly keyId: string;
  readonly dir: string;
}
export interface ProcessFigures {
  readonly inMemoryMibPerSecond: InMemoryFigures;
  readonly apiCalls: { readonly encrypt: number; readonly decrypt: number };
}

/** 3 GiB, so that write-back shows: BENCH_FILE_MIB and BENCH_FILE_ROUNDS for a quick run (the files go to TMPDIR). */
const FILE_MIB = fromEnv('BENCH_FILE_MIB', 3 * 1024);
export const ROUNDS = fromEnv('BENCH_FILE_ROUNDS', 5);
const MIB = 1024 * 1024;
const run = promisify(execFile);

export async function measureFileThroughput(options: ClientOptions, keyId: string): Promise<FileThroughput> {
  const dir = await mkdtemp(join(tmpdir(), 'envelope-file-bench-'));
  try {
    await run('npm', ['run', 'build', '-w', '@envelope-api/client'], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
    // First, before the disk rounds move 30 GiB and leave the kernel writing back and reclaiming:
    // a figure of the CPU alone is taken on a machine as quiet as the bench can make it.
    const inProcess = await inAProcessOfItsOwn({ options, keyId, dir });
    const input = join(dir, 'plain.bin');
    await writeRandomFile(input, FILE_MIB * MIB);
    const tools = [envelopeCli(keyId), await age(join(dir, 'age.key')), opensslCtr(), copy];
    const env = cliEnvironment(options);
    const seconds = Object.fromEntries(tools.map((tool) => [tool.name, { encrypt: [] as number[], decrypt: [] as number[] }]));
    const rss = { encrypt: [] as number[], decrypt: [] as number[] };
    // Not counted: the first large write after the input's own runs at a fraction of the disk's
    // speed (3 GiB: 4 to 9 s where the same command takes 2 s after it), whichever tool it is.
    await roundTrip(copy, input, dir, env);
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts with another tool, so that no tool always follows the same one.
      for (const tool of [...tools.slice(round % tools.length), ...tools.slice(0, round % tools.length)]) {
        const [encrypt, decrypt] = await roundTrip(tool, input, dir, env);
        seconds[tool.name]!.encrypt.push(encrypt.seconds);
        seconds[tool.name]!.decrypt.push(decrypt.seconds);
        if (tool.name === 'envelope') {
          rss.encrypt.push(Number(encrypt.stdout.trim()) / 1024);
          rss.decrypt.push(Number(decrypt.stdout.trim()) / 1024);
        }
      }
    }
    return {
      fileMiB: FILE_MIB,
      seconds: Object.fromEntries(Object.entries(seconds).map(([name, s]) => [name, { encrypt: spread(s.encrypt), decrypt: spread(s.decrypt) }])),
      peakRssMiB: rss,
      ...inProcess,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Encrypts the input and decrypts it back, checks the round trip kept the size, and deletes both outputs. */
async function roundTrip(tool: FileTool, input: string, dir: string, env: NodeJS.ProcessEnv) {
  const [encrypted, decrypted] = [join(dir, `${tool.name}.enc`), join(dir, `${tool.name}.dec`)];
  const encrypt = await timeUntilDurable(tool.encrypt(input, encrypted), dir, env);
  const decrypt = await timeUntilDurable(tool.decrypt(encrypted, decrypted), dir, env);
  if ((await stat(decrypted)).size !== (await stat(input)).size) throw new Error(`${tool.name} did not give the input back`);
  await rm(encrypted);
  await rm(decrypted);
  return [encrypt, decrypt] as const;
}

function cliEnvironment(options: ClientOptions): NodeJS.ProcessEnv {
  const { accessKeyId, secretAccessKey } = options.credentials as { accessKeyId: string; secretAccessKey: string };
  const { AWS_PROFILE: _profile, AWS_SESSION_TOKEN: _token, ...env } = process.env;
  return {
    ...env,
    ENVELOPE_API_URL: options.endpoint,
    AWS_REGION: options.region,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
  };
}

export async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (let written = 0; written < bytes; written += 16 * MIB) await file.write(randomBytes(Math.min(16 * MIB, bytes - written)));
  } finally {
    await file.close();
  }
}

/**
 * The in-memory figures and the API calls per file, in a fresh process: not in the bench's own,
 * whose heap holds the whole local runtime, where every collection the streams' buffers set off
 * walks that heap too and every figure falls, by an amount that measures the bench.
 */
async function inAProcessOfItsOwn(fileRun: FileRun): Promise<ProcessFigures> {
  const child = await run(process.execPath, [...process.execArgv, fileURLToPath(new URL('./file-throughput-process.ts', import.meta.url))], {
    env: { ...process.env, FILE_RUN: JSON.stringify(fileRun) },
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(child.stdout) as ProcessFigures;
}
