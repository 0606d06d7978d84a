import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDbEngine } from '../../local/dynamodb.js';

export interface RuntimeProcess {
  readonly apiUrl: string;
  readonly kmsUrl: string;
  readonly dynamoDbUrl: string;
  readonly dataDir: string;
  readonly output: () => string;
  /** Settles with the exit code (null when a signal ended it) once the process has exited, by itself or stopped. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
  /** `kill -9`: the runtime dies wherever it is, with no chance to finish anything. */
  kill(): Promise<void>;
}

export interface RuntimeProcessOptions {
  readonly engine?: DynamoDbEngine;
  /** Reuse a data folder, e.g. to restart over earlier state. */
  readonly dataDir?: string;
  readonly env?: Record<string, string>;
}

const ROOT = new URL('../../', import.meta.url).pathname;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** How `npm start` says that a port it was given is taken (local/start.ts). */
const PORT_TAKEN = /npm start: Port \d+ is in use/;

/**
 * Runs `npm start`'s entry point in a child process, exactly as a developer would, on free ports.
 * A port found free can be taken by another test file's process before the runtime binds it:
 * then the runtime says so and exits, and it starts again on other ports.
 */
export async function startRuntimeProcess(options: RuntimeProcessOptions = {}): Promise<RuntimeProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'envelope-test-')));
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts(options, dataDir);
    } catch (error) {
      if (attempt >= 3 || !PORT_TAKEN.test((error as Error).message)) throw error;
    }
  }
}

async function startOnFreePorts(options: RuntimeProcessOptions, dataDir: string): Promise<RuntimeProcess> {
  const [port, kmsPort, dynamoDbPort, consolePort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      KMS_PORT: String(kmsPort),
      DYNAMODB_PORT: String(dynamoDbPort),
      CONSOLE_PORT: String(consolePort),
      ENVELOPE_DATA_DIR: dataDir,
      ENVELOPE_DYNAMODB_ENGINE: options.engine ?? 'dynalite',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const apiUrl = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await waitForHealth(apiUrl, child, () => output);
  return {
    apiUrl,
    kmsUrl: `http://127.0.0.1:${kmsPort}`,
    dynamoDbUrl: `http://127.0.0.1:${dynamoDbPort}`,
    dataDir,
    output: () => output,
    exited,
    stop: () => stopProcess(child),
    kill: () => killProcess(child),
  };
}

async function waitForHealth(apiUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`local runtime exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${apiUrl}/v1/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`local runtime did not become healthy:\n${output()}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
