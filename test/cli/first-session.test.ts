import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RuntimeProcess, startRuntimeProcess } from '../support/local-runtime-process.js';
import { principal } from '../support/principals.js';
import { builtCli, type CliResult, ROOT } from './cli-support.js';

/**
 * A newcomer's first session: `npm start`'s banner pasted, line by line in the order printed, into a
 * shell that already holds someone's AWS settings (a profile, a session token, another region, the
 * master key administrator's keys exported as the README once showed them) makes `envelope` a
 * caller of the local API, which creates and lists keys at once.
 */
let runtime: RuntimeProcess;
let cli: string;
let home: string;

beforeAll(async () => {
  [runtime, cli, home] = await Promise.all([startRuntimeProcess(), builtCli(), mkdtemp(join(tmpdir(), 'envelope-newcomer-'))]);
}, 180_000);
afterAll(() => runtime?.stop());

/** A shell of someone who works with AWS: none of it may leak into the local session. */
const seasonedShell = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  HOME: home, // no ~/.aws: the profile below names nothing
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_PROFILE: 'production',
  AWS_SESSION_TOKEN: 'a-session-of-another-account',
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  ENVELOPE_API_URL: 'https://api.example.com/prod',
  AWS_ACCESS_KEY_ID: principal('keyadmin').accessKeyId,
  AWS_SECRET_ACCESS_KEY: principal('keyadmin').secretAccessKey,
});

/** The banner's indented lines from "Try the envelope CLI" on, as pasted: a line ending in `\` goes on in the next. */
function bannerLines(): string[] {
  const banner = runtime.output();
  return banner
    .slice(banner.indexOf('Try the envelope CLI'))
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => line.slice(2));
}

/**
 * The printed alias names this clone's linked bin (test/client/package.test.ts runs that one); here it
 * is the CLI built from the same sources, since `npm pack` rebuilds the package's dist/ meanwhile.
 */
function withBuiltCli(lines: readonly string[]): string[] {
  const alias = lines.find((line) => line.startsWith('alias envelope='));
  // The linked bin, run by npm start's own Node.js, whatever `node` the shell finds first.
  expect(alias).toBe(`alias envelope='PATH='\\''${dirname(process.execPath)}'\\'':"$PATH" '\\''${join(ROOT, 'node_modules/.bin/envelope')}'\\'''`);
  return lines.map((line) => (line === alias ? `alias envelope="'${process.execPath}' '${cli}'"` : line));
}

/** Runs the lines as a shell reads what is pasted into it: one by one, aliases on, stopping at the first failure. */
function paste(lines: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const bash = spawn('bash', ['--norc', '--noprofile', '-O', 'expand_aliases', '-e', '-s'], {
      env: seasonedShell(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    bash.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    bash.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    bash.on('error', reject);
    bash.on('close', (code) => resolve({ code, stdout: Buffer.from(stdout), stderr }));
    bash.stdin.end(`${lines.join('\n')}\n`);
  });
}

describe("npm start's banner", () => {
  it('shows lines that, pasted in the order printed, create and list a key as the local owner', async () => {
    const lines = withBuiltCli(bannerLines());
    expect(lines.slice(0, 6)).toEqual([
      'unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION',
      `export ENVELOPE_API_URL=${runtime.apiUrl} AWS_REGION=us-east-1`,
      `export AWS_ACCESS_KEY_ID=${principal('owner').accessKeyId} AWS_SECRET_ACCESS_KEY=${principal('owner').secretAccessKey}`,
      expect.stringMatching(/^alias envelope=/),
      'envelope keys create --description "my first key"',
      'envelope keys list',
    ]);
    // The whole of it, curl and the key administrator's AWS CLI command included, then the CLI once more.
    const { code, stdout, stderr } = await paste([...lines, 'envelope keys list']);
    expect(stderr).not.toMatch(/error|denied|warn/i); // curl's progress meter aside, since its output is no terminal here
    expect(code).toBe(0);
    const created = /^keyId +(\S+)$/m.exec(stdout.toString())?.[1];
    expect(stdout.toString()).toMatch(/^createdBy +arn:aws:iam::111122223333:user\/owner$/m);
    expect(stdout.toString().split(created!).length - 1).toBe(3); // created, then listed twice
    expect(stdout.toString()).toContain('"KeyManager": "CUSTOMER"'); // the key administrator's describe-key
  });

  it('needs its first line: a profile left in the shell signs in the local caller’s stead', async () => {
    const { code, stderr } = await paste(withBuiltCli(bannerLines()).slice(1, 5));
    expect(code).toBe(2);
    expect(stderr).toMatch(/This SDK will proceed with the AWS_PROFILE value/);
    expect(stderr).toMatch(/^error: NoCredentials: /m);
  });
});
