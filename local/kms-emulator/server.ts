import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CallCounter, closeServer, listen } from '../http-server.js';
import { KmsError, statusOf } from './errors.js';
import { isOperation, validateInput, type OperationName } from './input-shapes.js';
import { KeyStore, type KeyState } from './key-store.js';
import { OPERATIONS } from './operations.js';
import { OPEN_ACCESS, type Access, type Operation } from './operations/operation.js';
import type { IncomingSignedRequest } from '../gateway/sigv4-verifier.js';

/**
 * Who may call what. When given, every request must be signed (SigV4, service `kms`) by a known
 * principal, and every action is authorized. An authentication failure is answered with its `type`
 * and the status AWS documents for it (403 for MissingAuthenticationToken, InvalidClientTokenId,
 * OptInRequired and ExpiredToken, 400 otherwise); a denial is HTTP 400 AccessDeniedException.
 */
export interface KmsAccessControl {
  /** Verifies the request's SigV4 signature and names its principal. */
  authenticate(request: IncomingSignedRequest): Promise<{ ok: true; principalArn: string } | { ok: false; type: string; message: string }>;
  /** undefined: allowed. A string: the AccessDeniedException message to answer with. */
  authorize(request: KmsActionRequest): Promise<string | undefined>;
}

export interface KmsActionRequest {
  readonly principalArn: string;
  /** The IAM action, e.g. `kms:Decrypt`, `kms:ReEncryptFrom`. */
  readonly action: string;
  /** The key the action is on; absent for actions without a key resource (CreateKey, ListKeys, ListAliases). */
  readonly key?: { readonly arn: string; readonly policy: string /* the key policy JSON */ };
  /** The request's encryption context, for actions that take one. */
  readonly encryptionContext?: Readonly<Record<string, string>>;
}

export interface KmsEmulatorOptions {
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly region?: string;
  readonly accountId?: string;
  /** JSON file that keys and material persist to; memory only when absent. */
  readonly dataFile?: string;
  /** Authentication and authorization; without it every request is allowed. */
  readonly accessControl?: KmsAccessControl;
  /** The emulator's clock, default real time: creation, deletion and rotation dates all follow it (tests move it forward). */
  readonly now?: () => Date;
}

export interface KmsEmulator {
  readonly url: string;
  readonly port: number;
  /** Calls per operation since start (or the last reset), for benchmarks and tests. */
  readonly callCounts: Readonly<Record<string, number>>;
  resetCallCounts(): void;
  /**
   * A key's state as KMS itself knows it, by key ARN (undefined once the key is deleted): what an
   * AWS service that encrypts with the key finds when it uses it, without a call of the caller's.
   */
  keyState(keyArn: string): KeyState | undefined;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'TrentService.';
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * An AWS KMS emulator speaking the JSON 1.1 protocol (`POST /`, `X-Amz-Target: TrentService.<Op>`)
 * that behaves as KMS does where it matters here: a disabled key refuses cryptographic use, a key
 * pending deletion is in an invalid state, a key past its deletion date is gone, rotations happen
 * on its clock, and errors arrive as the SDK expects them. With `accessControl`, signatures are
 * verified and every action is authorized, before the key's state is looked at.
 */
export async function startKmsEmulator(options: KmsEmulatorOptions = {}): Promise<KmsEmulator> {
  const clock = options.now ?? (() => new Date());
  const store = new KeyStore(options.region ?? 'us-east-1', options.accountId ?? '000000000000', options.dataFile, () => clock().getTime() / 1000);
  await store.load();
  const calls = new CallCounter();
  // Requests are handled one at a time, so state changes and saves never interleave.
  let queue: Promise<void> = Promise.resolve();

  const server = createServer((req, res) => {
    queue = queue.then(() => handle(req, res)).catch(() => undefined);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = await answerTo(req);
    // Reads change state too (a key past its deletion date goes, due rotations happen): saved before answering.
    await store.save().catch((error: unknown) => console.error('KMS emulator could not save its state', error));
    send(res, answer.status, answer.body, answer.errorType);
  }

  async function answerTo(req: IncomingMessage): Promise<{ status: number; body: unknown; errorType?: string }> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    try {
      const body = await readBody(req);
      const access = await accessFor(req, body);
      if (req.method !== 'POST' || req.url !== '/' || !isOperation(name))
        throw new KmsError('UnknownOperationException', `Unknown operation ${target}`);
      calls.count(name);
      return { status: 200, body: await run(name, parseBody(body), access) };
    } catch (error) {
      if (!(error instanceof KmsError)) console.error('KMS emulator failure', error);
      const { type, message } = error instanceof KmsError ? error : new KmsError('KMSInternalException', 'Internal error');
      return { status: statusOf(type), body: { __type: type, message }, errorType: type };
    }
  }

  function run<Op extends OperationName>(name: Op, body: unknown, access: Access): Promise<Record<string, unknown>> {
    const operation: Operation<Op> = OPERATIONS[name];
    return operation(store, validateInput(name, body), access);
  }

  /** Authenticates the request and returns what its caller may do. */
  async function accessFor(req: IncomingMessage, body: Buffer): Promise<Access> {
    const control = options.accessControl;
    if (!control) return OPEN_ACCESS;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    const identity = await control.authenticate({
      method: req.method ?? 'POST',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
    });
    if (!identity.ok) throw new KmsError(identity.type, identity.message);
    return {
      denial: (action, key, encryptionContext) =>
        control.authorize({
          principalArn: identity.principalArn,
          action,
          ...(key && { key: { arn: key.arn, policy: key.policy } }),
          ...(encryptionContext && { encryptionContext }),
        }),
    };
  }

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  return {
    url: `http://${host}:${port}`,
    port,
    callCounts: calls.counts,
    resetCallCounts: () => calls.reset(),
    keyState: (keyArn) => store.find(keyArn.split('/').pop() ?? '')?.state,
    close: async () => {
      await closeServer(server);
      await queue;
    },
  };
}

/** A request body is JSON; an empty one is an empty input. */
function parseBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new KmsError('SerializationException', 'The request body is not valid JSON.');
  }
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
