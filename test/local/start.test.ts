import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { RUNTIME_SETTINGS } from '../../local/settings.js';
import { freePort } from '../support/local-runtime-process.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

/** `npm start`'s entry point as package.json runs it, to its exit. */
async function start(args: readonly string[], env: Record<string, string>) {
  const child = run(process.execPath, ['--import', 'tsx', 'local/start.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

const held: Server[] = [];
afterEach(async () => {
  for (const server of held.splice(0)) await new Promise((resolve) => server.close(resolve));
});

describe('npm start', () => {
  it('prints its settings with their defaults for --help and -h, and starts nothing', async () => {
    const port = await freePort();
    for (const flag of ['--help', '-h']) {
      const { code, stdout } = await start([flag], { PORT: String(port) });
      expect(code).toBe(0);
      for (const [name, { default: value }] of Object.entries(RUNTIME_SETTINGS)) {
        expect(stdout).toContain(name);
        if (value !== undefined) expect(stdout).toContain(`(default ${value})`);
      }
    }
    // Nothing listened: the port is still free to take.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    held.push(server);
  });

  it('says in one line which port is taken and how to choose others, stops what it started, and exits 1', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    held.push(busy);
    const { port } = busy.address() as { port: number };
    const { code, stderr } = await start([], {
      PORT: String(port),
      KMS_PORT: String(await freePort()),
      DYNAMODB_PORT: String(await freePort()),
      ENVELOPE_DATA_DIR: await mkdtemp(join(tmpdir(), 'envelope-start-')),
      ENVELOPE_DYNAMODB_ENGINE: 'dynalite',
    });
    expect(code).toBe(1);
    expect(stderr).toBe(
      `npm start: Port ${port} is in use by another process. Stop it, or choose other ports: PORT=3100 KMS_PORT=3101 DYNAMODB_PORT=3102 npm start\n`,
    );
  });
});
