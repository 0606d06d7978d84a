import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HANDLER_ENV } from '../lambdas/config.js';
import type { Caller } from '../local/gateway/proxy-event.js';
import type { LocalRuntime } from '../local/runtime.js';
import { fromEnv } from './measure.js';

/** The requests whose handler time the cost model prices, each on the crypto function. */
export const HANDLER_PROFILES = {
  singleEncrypt: { resource: '/v1/encrypt', items: 1 },
  singleDecrypt: { resource: '/v1/decrypt', items: 1 },
  batchEncrypt100: { resource: '/v1/encrypt', items: 100 },
  batchEncrypt1000: { resource: '/v1/encrypt', items: 1000 },
  /** What encrypting a file asks the API for, once per file. */
  dataKey: { resource: '/v1/data-keys', items: 1 },
} as const;
export type HandlerProfileName = keyof typeof HANDLER_PROFILES;

/** One kind of request, as the handler served it. */
export interface HandlerProfile {
  readonly items: number;
  /** The handler's own time (the invocation, not HTTP), the median round. */
  readonly msPerRequest: number;
  /** What the audit trail received: one JSON record per request, in bytes. */
  readonly auditBytesPerRequest: number;
  /** What the function printed (its access log line and its EMF metrics), in bytes. */
  readonly logBytesPerRequest: number;
}

export interface HandlerFigures {
  readonly profiles: Readonly<Record<HandlerProfileName, HandlerProfile>>;
  /** Distinct custom metrics (name and dimension values) the requests published through EMF. */
  readonly customMetrics: number;
}

/** What bench/handler-time-process.ts is given. */
export interface HandlerRun {
  readonly caller: Caller;
  readonly keyId: string;
  readonly rounds: number;
  readonly roundMs: number;
}

const run = promisify(execFile);

/**
 * The crypto function's handler, invoked in a process of its own with the function's environment
 * as deployed (Powertools' default log level and metrics on, which the bench turns down for its own
 * runtime): one thread, as a Lambda execution environment of 1769 MB has one vCPU.
 * BENCH_HANDLER_ROUNDS and BENCH_HANDLER_MS for a quick run.
 */
export async function measureHandlers(runtime: LocalRuntime, caller: Caller, keyId: string): Promise<HandlerFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'envelope-handler-bench-'));
  try {
    const handlerRun: HandlerRun = { caller, keyId, rounds: fromEnv('BENCH_HANDLER_ROUNDS', 5), roundMs: fromEnv('BENCH_HANDLER_MS', 1000) };
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AWS_|POWERTOOLS_)/.test(name)));
    const { POWERTOOLS_LOG_LEVEL: _level, POWERTOOLS_METRICS_DISABLED: _metrics, ...deployed } = runtime.environmentFor('crypto');
    const child = await run(process.execPath, [...process.execArgv, fileURLToPath(new URL('./handler-time-process.ts', import.meta.url))], {
      env: { ...inherited, ...deployed, [HANDLER_ENV.auditFile]: join(dir, 'audit.jsonl'), HANDLER_RUN: JSON.stringify(handlerRun) },
      maxBuffer: 1024 * 1024,
    });
    return JSON.parse(child.stdout) as HandlerFigures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
