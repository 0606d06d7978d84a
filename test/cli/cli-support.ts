import { type ChildProcessByStdio, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { principal, type PrincipalName } from '../support/principals.js';

const run = promisify(execFile);
export const ROOT = new URL('../../', import.meta.url).pathname;
const PACKAGE = join(ROOT, 'packages/client');
/** The package's `bin`, relative to the package. */
export const PACKAGE_BIN = (JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { bin: { envelope: string } }).bin.envelope;
const CACHE = join(ROOT, 'node_modules/.cache/envelope-cli-test');

/**
 * The CLI as the package installs it: its bin (bin/envelope.js) over the program built as
 * `npm run build -w packages/client` builds it (tsc, tsconfig.build.json), laid out as in the package,
 * in a folder of its own keyed by a hash of its sources: `npm pack` in test/client/package.test.ts
 * deletes and rebuilds packages/client/dist while other test files run, so these tests do not run
 * from there. Built once per source state; concurrent test files race only to an atomic rename.
 * Answers the path of the bin.
 */
export async function builtCli(): Promise<string> {
  const digest = createHash('sha256');
  for (const file of [
    ...(await files(join(PACKAGE, 'src'))),
    ...(await files(join(ROOT, 'contract'))),
    join(PACKAGE, PACKAGE_BIN),
    join(PACKAGE, 'package.json'),
    join(PACKAGE, 'tsconfig.build.json'),
    join(ROOT, 'tsconfig.json'),
  ].sort()) {
    digest.update(relative(ROOT, file)).update(await readFile(file));
  }
  const out = join(CACHE, digest.digest('hex').slice(0, 16));
  const bin = join(out, PACKAGE_BIN);
  if (await exists(bin)) return bin;
  await mkdir(CACHE, { recursive: true });
  const building = await mkdtemp(join(CACHE, 'building-'));
  await run(process.execPath, [
    join(ROOT, 'node_modules/typescript/bin/tsc'),
    '-p',
    join(PACKAGE, 'tsconfig.build.json'),
    '--outDir',
    join(building, 'dist'),
  ]);
  // The package's own package.json (ESM; the CLI reads its version there) and bin, beside dist/.
  await copyFile(join(PACKAGE, 'package.json'), join(building, 'package.json'));
  await mkdir(join(building, dirname(PACKAGE_BIN)));
  await copyFile(join(PACKAGE, PACKAGE_BIN), join(building, PACKAGE_BIN));
  try {
    await rename(building, out);
  } catch {
    await rm(building, { recursive: true, force: true }); // another test file built it first
  }
  // Builds of earlier sources, a day old: nothing runs them any more.
  for (const entry of await readdir(CACHE)) {
    const path = join(CACHE, entry);
    if (path !== out && Date.now() - (await stat(path)).mtimeMs > 86_400_000) await rm(path, { recursive: true, force: true });
  }
  return bin;
}

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

export interface CliResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** The environment of a user acting as a local principal: the API's URL, region and credentials, nothing inherited. */
export function userEnv(apiUrl: string | undefined, name: PrincipalName | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: join(tmpdir(), 'envelope-cli-home'), // no ~/.aws of the machine's
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    ...(apiUrl && { ENVELOPE_API_URL: apiUrl }),
  };
  if (name) {
    const { accessKeyId, secretAccessKey } = principal(name);
    Object.assign(env, { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey });
  }
  return { ...env, ...extra };
}

/** Runs `envelope ARGS` in a child process, as a shell would: stdin from `input`, stdout and stderr collected. */
export function envelope(
  main: string,
  args: readonly string[],
  options: { env: Record<string, string>; input?: Buffer | string; cwd?: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    collectResult(child, resolve, reject);
    child.stdin.on('error', () => {}); // a command that does not read stdin may exit first
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a bash script (with pipefail) in which `envelope` is the built CLI's bin, as a user's shell would run it. */
export function shell(main: string, script: string, options: { env: Record<string, string>; cwd: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', `envelope() { "$ENVELOPE_NODE" "$ENVELOPE_MAIN" "$@"; }\n${script}`], {
      env: { ...options.env, ENVELOPE_NODE: process.execPath, ENVELOPE_MAIN: main },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    collectResult(child, resolve, reject);
  });
}

/** A child's exit code, its whole stdout and its stderr, once it closes. */
function collectResult(
  child: ChildProcessByStdio<null | Writable, Readable, Readable>,
  resolve: (result: CliResult) => void,
  reject: (error: Error) => void,
): void {
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('error', reject);
  child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
