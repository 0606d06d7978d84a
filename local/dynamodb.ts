import { createRequire } from 'node:module';
import type { IncomingMessage, Server } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CreateTableCommand, type DynamoDBClient, ResourceInUseException, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { TABLE_SCHEMA } from '../contract/index.js';
import { CallCounter, closeServer, listen } from './http-server.js';

const require = createRequire(import.meta.url);

/** `dynalite` (pure JavaScript, the default) or `dynamodb-local` (AWS's own build, needs Java). */
export type DynamoDbEngine = 'dynalite' | 'dynamodb-local';

export interface LocalDynamoDb {
  readonly url: string;
  /** Requests per operation (dynalite only), for tests and benchmarks. */
  readonly callCounts: Readonly<Record<string, number>>;
  resetCallCounts(): void;
  close(): Promise<void>;
}

/** Starts a real DynamoDB implementation on 127.0.0.1, persisting under `dataDir`. */
export async function startDynamoDb(engine: DynamoDbEngine, port: number, dataDir: string): Promise<LocalDynamoDb> {
  return engine === 'dynalite' ? startDynalite(port, join(dataDir, 'dynalite')) : startDynamoDbLocal(port, join(dataDir, 'dynamodb-local'));
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
    // dynalite closes its LevelDB store when the server closes.
    close: () => closeServer(server),
  };
}

/** AWS's DynamoDB Local, from the jar the amplify-dynamodb-simulator package ships. */
async function startDynamoDbLocal(port: number, dbPath: string): Promise<LocalDynamoDb> {
  const emulatorDir = join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  await mkdir(dbPath, { recursive: true });
  const java = spawn(
    'java',
    ['-Djava.library.path=./DynamoDBLocal_lib', '-jar', 'DynamoDBLocal.jar', '-port', String(port), '-dbPath', dbPath, '-sharedDb'],
    {
      cwd: emulatorDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  java.stdout.on('data', (chunk) => (output += chunk));
  java.stderr.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilListening(
    url,
    () => java.exitCode !== null,
    () => output,
  );
  return {
    url,
    callCounts: {},
    resetCallCounts: () => undefined,
    close: async () => {
      if (java.exitCode !== null) return;
      const exited = new Promise((resolve) => java.once('exit', resolve));
      java.kill('SIGTERM');
      await exited;
    },
  };
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
