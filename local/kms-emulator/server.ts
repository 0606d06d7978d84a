import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CallCounter, closeServer, listen } from '../http-server.js';
import { KmsError } from './errors.js';
import { KeyStore } from './key-store.js';
import { MUTATING, OPERATIONS } from './operations.js';

export interface KmsEmulatorOptions {
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly region?: string;
  readonly accountId?: string;
  /** JSON file that keys and material persist to; memory only when absent. */
  readonly dataFile?: string;
}

export interface KmsEmulator {
  readonly url: string;
  readonly port: number;
  /** Calls per operation since start (or the last reset), for benchmarks and tests. */
  readonly callCounts: Readonly<Record<string, number>>;
  resetCallCounts(): void;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'TrentService.';
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * An AWS KMS emulator speaking the JSON 1.1 protocol (`POST /`, `X-Amz-Target: TrentService.<Op>`)
 * that behaves as KMS does where it matters here: a disabled key refuses cryptographic use, a key
 * pending deletion is in an invalid state, and errors arrive as the SDK expects them.
 * Signatures are not verified.
 */
export async function startKmsEmulator(options: KmsEmulatorOptions = {}): Promise<KmsEmulator> {
  const store = new KeyStore(options.region ?? 'us-east-1', options.accountId ?? '000000000000', options.dataFile);
  await store.load();
  const calls = new CallCounter();
  // Requests are handled one at a time, so state changes and saves never interleave.
  let queue: Promise<void> = Promise.resolve();

  const server = createServer((req, res) => {
    queue = queue.then(() => handle(req, res)).catch(() => undefined);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    try {
      const body = await readBody(req);
      const operation = req.method === 'POST' && req.url === '/' ? OPERATIONS[name] : undefined;
      if (!operation) throw new KmsError('UnknownOperationException', `Unknown operation ${target}`);
      calls.count(name);
      const input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
      const output = operation(store, input);
      if (MUTATING.has(name)) await store.save();
      send(res, 200, output);
    } catch (error) {
      const kmsError = error instanceof KmsError ? error
        : error instanceof SyntaxError ? new KmsError('SerializationException', 'Malformed JSON')
        : new KmsError('KMSInternalException', 'Internal error');
      if (!(error instanceof KmsError) && !(error instanceof SyntaxError)) console.error('KMS emulator failure', error);
      send(res, kmsError.type === 'KMSInternalException' ? 500 : 400, { __type: kmsError.type, message: kmsError.message }, kmsError.type);
    }
  }

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  return {
    url: `http://${host}:${port}`,
    port,
    callCounts: calls.counts,
    resetCallCounts: () => calls.reset(),
    close: () => closeServer(server),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new KmsError('ValidationException', 'Request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': crypto.randomUUID(),
    ...(errorType && { 'x-amzn-errortype': errorType }),
  });
  res.end(payload);
}
