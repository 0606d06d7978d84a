import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RuntimeProcess, startRuntimeProcess } from '../support/local-runtime-process.js';
import { clientFor } from '../support/principals.js';

/**
 * With ENVELOPE_DYNAMODB_ENGINE=dynamodb-local, DynamoDB is AWS's DynamoDB Local: a java process
 * of its own, which can die while `npm start` runs. Killed with SIGKILL, it is started again on
 * the same port and files, and requests succeed again without restarting the runtime; killed each
 * time it comes back, the runtime stops with a non-zero status and says why, rather than answer
 * 503 for ever. (dynalite runs inside the runtime's process and cannot die apart from it.)
 */
const execFileAsync = promisify(execFile);

/** The DynamoDB Local java processes serving a data folder, found as an operator would, by command line. */
async function javaPids(dataDir: string): Promise<number[]> {
  const found = await execFileAsync('pgrep', ['-f', `DynamoDBLocal\\.jar.*${dataDir}`]).catch(() => ({ stdout: '' }));
  return found.stdout.split('\n').filter(Boolean).map(Number);
}

/** Polls `check` until it passes or `timeoutMs` runs out, and fails with its last error then. */
async function eventually<T>(check: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

describe('npm start with DynamoDB Local', () => {
  let runtime: RuntimeProcess;
  beforeAll(async () => {
    runtime = await startRuntimeProcess({ engine: 'dynamodb-local' });
  });
  afterAll(async () => runtime?.stop());

  it('starts DynamoDB Local again after kill -9, table and data included, and serves without a restart of its own', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const { keyId } = await owner.createKey({ description: 'before the kill' });
    const [pid] = await javaPids(runtime.dataDir);
    expect(pid).toBeGreaterThan(0);

    process.kill(pid!, 'SIGKILL');
    const whileDown = await owner.dependencyHealth();
    expect(whileDown).toMatchObject({ status: 'unavailable', dependencies: { dynamodb: { status: 'unavailable', reason: 'Unreachable' } } });

    expect((await eventually(() => owner.getKey(keyId), 60_000)).description).toBe('before the kill');
    expect(await javaPids(runtime.dataDir)).not.toContain(pid);
    expect(runtime.output()).toMatch(/DynamoDB Local on port \d+ \(pid \d+\) exited unexpectedly with signal SIGKILL; restarting in \d+ ms/);
    expect(runtime.output()).toMatch(/DynamoDB Local on port \d+ restarted \(pid \d+\)/);
    expect((await owner.createKey({ description: 'after the restart' })).keyId).toBeDefined();
    expect((await owner.dependencyHealth()).status).toBe('ok');
  });
});

describe('npm start with a DynamoDB Local that keeps dying', () => {
  it('stops with a non-zero status and says why, leaving no java process behind', async () => {
    const runtime = await startRuntimeProcess({ engine: 'dynamodb-local' });
    try {
      const killed = new Set<number>();
      const exitedWith = await Promise.race([
        runtime.exited,
        (async () => {
          const deadline = Date.now() + 90_000;
          while (Date.now() < deadline) {
            for (const pid of await javaPids(runtime.dataDir)) {
              if (!killed.has(pid)) process.kill(pid, 'SIGKILL');
              killed.add(pid);
            }
            await sleep(100);
          }
          return 'still running' as const;
        })(),
      ]);
      expect(exitedWith, runtime.output()).toBe(1);
      expect(killed.size).toBe(4);
      expect(runtime.output()).toMatch(/restart 3 of 3/);
      expect(runtime.output()).toMatch(/Envelope API stopped: DynamoDB Local on port \d+ keeps dying/);
      expect(await javaPids(runtime.dataDir)).toEqual([]);
    } finally {
      await runtime.stop();
    }
  });
});
