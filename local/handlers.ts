import { Worker } from 'node:worker_threads';
import type { ApiFunctionName } from '../contract/index.js';
import { API_FUNCTION_NAMES, API_FUNCTIONS } from '../lib/functions.js';
import { clockOffsetMs } from './clock.js';
import type { ProxyHandler, ProxyResult } from './gateway/server.js';

export interface LocalFunction {
  /** The module whose `handler` export runs: a file URL, or a path relative to the repository root. */
  readonly entry: string;
  /** The function's environment variables as its worker sees them: each function gets its own copy. */
  readonly environment: Readonly<Record<string, string>>;
  /** The function's timeout, as its Lambda context reports it (the deployed one by default). */
  readonly timeoutSeconds: number;
}

export interface LocalFunctions {
  readonly handlers: Readonly<Record<ApiFunctionName, ProxyHandler>>;
  close(): Promise<void>;
}

const ROOT = new URL('../', import.meta.url);
const WORKER = new URL('./function-worker.mjs', import.meta.url);

/** The deployed entry points, each to run with the given environment. */
export function deployedFunctions(environment: (fn: ApiFunctionName) => Record<string, string>): Record<ApiFunctionName, LocalFunction> {
  const entries = API_FUNCTION_NAMES.map((fn) => [
    fn,
    { entry: API_FUNCTIONS[fn].entry, environment: environment(fn), timeoutSeconds: API_FUNCTIONS[fn].timeoutSeconds },
  ]);
  return Object.fromEntries(entries) as Record<ApiFunctionName, LocalFunction>;
}

/**
 * Starts each function in an execution environment of its own (a worker thread), as Lambda runs
 * them: its own environment variables, credentials and module state (caches, SDK clients).
 */
export async function startFunctions(functions: Record<ApiFunctionName, LocalFunction>): Promise<LocalFunctions> {
  const started = await Promise.all(Object.entries(functions).map(async ([fn, spec]) => [fn, await startFunction(fn, spec)] as const));
  return {
    handlers: Object.fromEntries(started.map(([fn, worker]) => [fn, worker.invoke])) as Record<ApiFunctionName, ProxyHandler>,
    close: async () => {
      await Promise.all(started.map(([, worker]) => worker.terminate()));
    },
  };
}

interface FunctionWorker {
  readonly invoke: ProxyHandler;
  terminate(): Promise<unknown>;
}

type Reply = { ready: true } | { id: number; result: ProxyResult; bodyBytes?: Uint8Array } | { id: number; error: string };

async function startFunction(name: string, { entry, environment, timeoutSeconds }: LocalFunction): Promise<FunctionWorker> {
  const worker = new Worker(WORKER, {
    workerData: {
      entry: new URL(entry, ROOT).href,
      functionName: `envelope-api-${name}`,
      timeoutMs: timeoutSeconds * 1000,
      // The runtime's clock, as every other part of it reads it.
      clockOffsetMs: clockOffsetMs(),
    },
    env: { ...environment },
    execArgv: [],
  });
  const pending = new Map<number, { resolve: (value: ProxyResult) => void; reject: (error: Error) => void }>();
  const failAll = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) return resolve();
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if ('error' in reply) waiting?.reject(new Error(`Function ${name} failed: ${reply.error}`));
      else waiting?.resolve(reply.bodyBytes === undefined ? reply.result : withBodyBytes(reply.result, reply.bodyBytes));
    });
    worker.once('error', (error) => {
      reject(error);
      failAll(error);
    });
    worker.once('exit', (code) => failAll(new Error(`Function ${name} exited with ${code}.`)));
  });
  let nextId = 0;
  return {
    invoke: (event) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, event });
      }),
    terminate: () => worker.terminate(),
  };
}

/**
 * A result whose body came over as bytes: the gateway writes them; `body` decodes them only for
 * whoever reads it (a test reading a function's answer).
 */
function withBodyBytes(result: ProxyResult, bodyBytes: Uint8Array): ProxyResult {
  let body: string | undefined;
  return Object.defineProperties(
    { ...result },
    {
      bodyBytes: { value: bodyBytes },
      body: { enumerable: true, get: () => (body ??= Buffer.from(bodyBytes.buffer, bodyBytes.byteOffset, bodyBytes.byteLength).toString('utf8')) },
    },
  );
}
