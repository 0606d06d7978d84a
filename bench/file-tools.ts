import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A command line: the program and its arguments. */
export type Command = readonly [string, ...string[]];

/** A tool a user might pick to encrypt a file, as the bench runs it: encrypt `input` into `output`, and back. */
export interface FileTool {
  readonly name: string;
  encrypt(input: string, output: string): Command;
  decrypt(input: string, output: string): Command;
}

const BIN = fileURLToPath(new URL('../packages/client/bin/envelope.js', import.meta.url));
const MAX_RSS = fileURLToPath(new URL('./max-rss.mjs', import.meta.url));

/**
 * `envelope` as installed: its bin, on the project's Node (this process's, not whatever `node` the
 * PATH has) with the flags of its shebang, under max-rss.mjs, which prints the peak resident set
 * when the command succeeds.
 */
export function envelopeCli(keyId: string): FileTool {
  const shebangFlags = readFileSync(BIN, 'utf8')
    .split('\n')[0]!
    .replace(/^#!\/usr\/bin\/env (-S )?node/, '')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  const cli = (...args: string[]): Command => [process.execPath, ...shebangFlags, MAX_RSS, BIN, ...args];
  return {
    name: 'envelope',
    encrypt: (input, output) => cli('encrypt-file', '-q', '-k', keyId, input, output),
    decrypt: (input, output) => cli('decrypt-file', '-q', input, output),
  };
}

/** age (X25519 recipients, ChaCha20-Poly1305 in 64 KiB chunks), with an identity made for the run. */
export async function age(identityFile: string): Promise<FileTool> {
  await run('age-keygen', ['-o', identityFile]);
  const recipient = /# public key: (age1\w+)/.exec(readFileSync(identityFile, 'utf8'))![1]!;
  return {
    name: 'age',
    encrypt: (input, output) => ['age', '-r', recipient, '-o', output, input],
    decrypt: (input, output) => ['age', '-d', '-i', identityFile, '-o', output, input],
  };
}

/** openssl enc with AES-256-CTR under a raw key: no authentication, the cipher alone. */
export function opensslCtr(): FileTool {
  const key = ['-K', randomBytes(32).toString('hex'), '-iv', randomBytes(16).toString('hex')];
  return {
    name: 'openssl',
    encrypt: (input, output) => ['openssl', 'enc', '-aes-256-ctr', ...key, '-in', input, '-out', output],
    decrypt: (input, output) => ['openssl', 'enc', '-d', '-aes-256-ctr', ...key, '-in', input, '-out', output],
  };
}

/**
 * A plain copy, both ways: what the disk allows any tool that reads a file and writes another. It
 * runs in the same two places as the others, the second copy written beside the first, because this
 * disk writes a file beside another as large more slowly than the first (see docs/performance.md).
 */
export const copy: FileTool = {
  name: 'cp',
  encrypt: (input, output) => ['cp', input, output],
  decrypt: (input, output) => ['cp', input, output],
};

export interface Timed {
  readonly seconds: number;
  /** What the command printed on stdout (max-rss.mjs's peak, for the CLI). */
  readonly stdout: string;
}

/**
 * Runs a command with the disk quiet first, and times it until its output is durable: `sync -f` on
 * the output's file system counts in every tool's time, so that write-back is charged to whoever
 * wrote, not hidden in some rows and paid in the next.
 */
export async function timeUntilDurable(command: Command, directory: string, env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  await quietDisk();
  const start = performance.now();
  const { stdout } = await run(command[0], command.slice(1), { env, maxBuffer: 1024 * 1024 });
  await run('sync', ['-f', directory]);
  return { seconds: (performance.now() - start) / 1000, stdout };
}

/** Writes back whatever earlier work left dirty, so that it is not charged to the next thing timed. */
export async function quietDisk(): Promise<void> {
  await run('sync');
}
