import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process.js';
import { principal } from '../support/principals.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(join(ROOT, 'packages/client/package.json'), 'utf8')) as { version: string };

/**
 * The client as a team gets it: `npm pack` of the workspace, the tarball installed into an empty
 * project (dependencies from the registry, nothing from this repository), and used there against
 * the local runtime.
 */
let runtime: RuntimeProcess;
let project: string;

beforeAll(async () => {
  runtime = await startRuntimeProcess();
  const packed = await mkdtemp(join(tmpdir(), 'envelope-pack-'));
  await run('npm', ['pack', '-w', '@envelope-api/client', '--pack-destination', packed], { cwd: ROOT });
  const [tarball] = (await readdir(packed)).filter((name) => name.endsWith('.tgz'));
  project = await mkdtemp(join(tmpdir(), 'envelope-consumer-'));
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(packed, tarball!)], { cwd: project });
}, 300_000);
afterAll(async () => runtime?.stop());

describe('the packed client', () => {
  it('installs into another project and encrypts, decrypts and streams a file there, typed', async () => {
    const script = `
      import { EnvelopeClient, EnvelopeApiError } from '@envelope-api/client';
      import { writeFileSync, readFileSync } from 'node:fs';
      const client = new EnvelopeClient();
      const key = await client.createKey({ alias: 'packed' });
      const sealed = await client.encrypt('alias/packed', 'from the tarball', { team: 'consumer' });
      const opened = await client.decrypt(sealed.ciphertext, { team: 'consumer' });
      writeFileSync('in.bin', Buffer.alloc(300_000, 7));
      await client.encryptFile('in.bin', 'in.bin.enc', { keyId: key.keyId });
      await client.decryptFile('in.bin.enc', 'out.bin');
      let code;
      try { await client.getKey('alias/none'); } catch (error) { code = error instanceof EnvelopeApiError ? error.code : 'wrong class'; }
      console.log(JSON.stringify({ text: opened.plaintext.toString(), same: readFileSync('out.bin').equals(readFileSync('in.bin')), code }));
    `;
    await writeFile(join(project, 'use.mjs'), script);
    const { accessKeyId, secretAccessKey } = principal('owner');
    const { stdout } = await run(process.execPath, ['use.mjs'], {
      cwd: project,
      env: {
        PATH: process.env.PATH,
        ENVELOPE_API_URL: runtime.apiUrl,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
      },
    });
    expect(JSON.parse(stdout)).toEqual({ text: 'from the tarball', same: true, code: 'KeyNotFound' });

    // Its declarations type-check a consumer, the error code as the contract's union.
    await writeFile(
      join(project, 'typed.ts'),
      `
      import { EnvelopeClient, type ErrorCode } from '@envelope-api/client';
      const code: ErrorCode = 'KeyNotFound';
      export const use = (client: EnvelopeClient) => client.encrypt('alias/x', 'y').then((s) => s.keyVersion + code.length);
    `,
    );
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [] },
      }),
    );
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project]);

    // Its bin, linked by the install.
    const installed = await run('npm', ['exec', '--offline', '--no', '--', 'envelope', '--version'], { cwd: project });
    expect(installed.stdout.trim()).toBe(version);
  });
});

/**
 * `npx envelope` in a clone, after `npm install`: the workspace's CLI (built by the root `prepare`
 * script, linked through the committed bin), never a package of that name from the registry.
 */
describe("the workspace's envelope", () => {
  it('is linked into node_modules/.bin, and npx and npm exec run it from the clone', async () => {
    const linked = await realpath(join(ROOT, 'node_modules/.bin/envelope'));
    expect(linked).toBe(await realpath(join(ROOT, 'packages/client/bin/envelope.js')));
    const help = await run('npx', ['--no', '--', 'envelope', '--help'], { cwd: ROOT });
    expect(help.stdout).toMatch(/^Usage: envelope \[options\] \[command\]\n/);
    const exec = await run('npm', ['exec', '--offline', '--no', '--', 'envelope', '--version'], { cwd: join(ROOT, 'test') });
    expect(exec.stdout.trim()).toBe(version);
  });
});
