import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateTableCommand, type DynamoDBClient, ResourceInUseException, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { TABLE_SCHEMA } from '../contract/index.js';
import { CallCounter, closeServer, listen } from './http-server.js';
import { DEFAULT_RESTART_POLICY, type RestartPolicy, type StartedProcess, supervise, terminate } from './supervised-process.js';

const require = createRequire(import.meta.url);

/** `dynalite` (pure JavaScript, the default) or `dynamodb-local` (AWS's own build, needs Java). */
export type DynamoDbEngine = 'dynalite' | 'dynamodb-local';

export interface LocalDynamoDb {
  readonly url: string;
  /** Requests per operation (dynalite only), for tests and benchmarks. */
  readonly callCounts: Readonly<Record<string, number>>;
  resetCallCounts(): void;
  /**
   * Settles, with the reason, once DynamoDB is gone for good: DynamoDB Local (a java process of its
   * own, restarted when it dies) kept dying. Never for dynalite, which runs inside this process and
   * cannot die apart from it.
   */
  readonly failed: Promise<Error>;
  close(): Promise<void>;
}

export interface DynamoDbOptions {
  /** How DynamoDB Local is restarted when it dies. */
  readonly restartPolicy?: RestartPolicy;
}

/** Starts a real DynamoDB implementation on 127.0.0.1, persisting under `dataDir`. */
export async function startDynamoDb(engine: DynamoDbEngine, port: number, dataDir: string, options: DynamoDbOptions = {}): Promise<LocalDynamoDb> {
  return engine === 'dynalite'
    ? startDynalite(port, join(dataDir, 'dynalite'))
    : startDynamoDbLocal(port, join(dataDir, 'dynamodb-local'), options.restartPolicy ?? DEFAULT_RESTART_POLICY);
}

async function startDynalite(port: number, path: string): Promise<LocalDynamoDb> {
  const dynalite = require('dynalite') as (options: object) => Server;
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const calls = new CallCounter();
  server.on('request', (req: IncomingMessage) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1];
    if (operation) calls.count(operation);
  });
  const bound = await listen(server, port);
  return {
    url: `http://127.0.0.1:${bound}`,
    callCounts: calls.counts,
    resetCallCounts: () => calls.reset(),
    failed: new Promise<Error>(() => {}),
    // dynalite closes its LevelDB store when the server closes.
    close: () => closeServer(server),
  };
}

/**
 * AWS's DynamoDB Local, from the jar the amplify-dynamodb-simulator package ships, supervised: when
 * the java process dies it is started again on the same port (where the access proxy forwards)
 * over the same files (`-sharedDb` keeps every table in one database under `dbPath`, so the table
 * is there again), until it keeps dying.
 */
async function startDynamoDbLocal(port: number, dbPath: string, restartPolicy: RestartPolicy): Promise<LocalDynamoDb> {
  await mkdir(dbPath, { recursive: true });
  const fixedPort = port === 0 ? await freePort() : port;
  const url = `http://127.0.0.1:${fixedPort}`;
  const java = await supervise(
    { name: `DynamoDB Local on port ${fixedPort}`, start: () => spawnDynamoDbLocal(url, fixedPort, dbPath) },
    restartPolicy,
  );
  return {
    url,
    callCounts: {},
    resetCallCounts: () => undefined,
    failed: java.gaveUp,
    close: () => java.stop(),
  };
}

/** Keeps the end of what a long-running process prints: enough to tell why it died. */
const OUTPUT_KEPT = 64 * 1024;

async function spawnDynamoDbLocal(url: string, port: number, dbPath: string): Promise<StartedProcess> {
  const emulatorDir = join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  const java = spawn(
    'java',
    // Java's temporary directory follows TMPDIR as the rest of the runtime's does (SQLite unpacks its native library there).
    [
      '-Djava.library.path=./DynamoDBLocal_lib',
      `-Djava.io.tmpdir=${tmpdir()}`,
      '-jar',
      'DynamoDBLocal.jar',
      '-port',
      String(port),
      '-dbPath',
      dbPath,
      '-sharedDb',
    ],
    { cwd: emulatorDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let spawnFailed = false;
  const keep = (chunk: unknown) => (output = `${output}${chunk}`.slice(-OUTPUT_KEPT));
  java.stdout.on('data', keep);
  java.stderr.on('data', keep);
  java.once('error', (error) => {
    spawnFailed = true;
    keep(`${error.message}\n`);
  });
  const exited = () => spawnFailed || java.exitCode !== null || java.signalCode !== null;
  try {
    await waitUntilListening(url, exited, () => output);
  } catch (error) {
    // A process that never spawned has nothing to stop (and may never report an exit).
    if (!spawnFailed) await terminate(java, 0);
    throw error;
  }
  return { child: java, output: () => output };
}

/** A port free now: DynamoDB Local must get the same one at each restart, so `0` cannot be left to it. */
async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server, 0);
  await closeServer(server);
  return port;
}

async function waitUntilListening(url: string, exited: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`DynamoDB Local exited:\n${output()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`DynamoDB Local did not start:\n${output()}`);
}

/** Creates the data-key table with the same key schema the CDK stack deploys, if it is missing. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TABLE_SCHEMA.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE_SCHEMA.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
}
