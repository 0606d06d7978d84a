import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { RUNTIME_SETTINGS } from '../../local/settings.js';
import { freePort, startRuntimeProcess } from '../support/local-runtime-process.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

/** `npm start`'s command, to its exit. */
async function start(args: readonly string[], env: Record<string, string>) {
  // package.json's "start": `tsx local/start.ts`.
  const child = run(join(ROOT, 'node_modules/.bin/tsx'), ['local/start.ts', ...args], {
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

  it("shows DynamoDB's own port and the IAM-enforcing proxy's, each labelled, and keyadmin's sample sets the shell's profile aside", async () => {
    const runtime = await startRuntimeProcess();
    try {
      const banner = runtime.output();
      expect(banner).toMatch(new RegExp(`^  DynamoDB +${runtime.dynamoDbUrl}  \\(DYNAMODB_PORT; dynalite\\)$`, 'm'));
      expect(banner).toMatch(/^ {2}DynamoDB proxy +http:\/\/127\.0\.0\.1:\d+ {2}\(enforces IAM/m);
      expect(banner).toContain('env -u AWS_PROFILE -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID=');
      expect(banner).toMatch(/^ {2}Console +http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+ {2}\(web console; pick an identity at the top right\)$/m);
    } finally {
      await runtime.stop();
    }
  });

  const busyCases = [
    { busy: 'PORT', engine: 'dynalite' },
    { busy: 'KMS_PORT', engine: 'dynalite' },
    { busy: 'DYNAMODB_PORT', engine: 'dynalite' },
    { busy: 'DYNAMODB_PORT', engine: 'dynamodb-local' },
    { busy: 'CONSOLE_PORT', engine: 'dynalite' },
  ] as const;
  it.each(busyCases)('says in one line that $busy is taken ($engine) and how to choose others, and exits 1', async ({ busy, engine }) => {
    const taken = await holdPort();
    const ports = {
      PORT: await freePort(),
      KMS_PORT: await freePort(),
      DYNAMODB_PORT: await freePort(),
      CONSOLE_PORT: await freePort(),
      [busy]: taken,
    };
    const startedAt = Date.now();
    const { code, stderr } = await start([], {
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      ENVELOPE_DATA_DIR: await mkdtemp(join(tmpdir(), 'envelope-start-')),
      ENVELOPE_DYNAMODB_ENGINE: engine,
    });
    expect(code).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    // Exactly one line, so no stack trace ("    at …").
    expect(stderr).toBe(
      `npm start: Port ${taken} is in use by another process. Stop it, or choose other ports: PORT=3100 KMS_PORT=3101 DYNAMODB_PORT=3102 CONSOLE_PORT=3103 npm start\n`,
    );
  });
});

/** A port another process would find taken. */
async function holdPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  held.push(server);
  return (server.address() as { port: number }).port;
}
