import type { DependencyFailure, DependencyStatus } from '../../contract/index.js';

/** What a probe learned: whether the dependency can serve, and facts worth reporting (never secrets). */
export type ProbeOutcome<F extends object = object> = { readonly usable: boolean } & F;

/** One look at one dependency; it must stop its work when `signal` aborts. */
export type Probe<F extends object = object> = (signal: AbortSignal) => Promise<ProbeOutcome<F>>;

/** Told why a check failed, with the error: for the function's log, never for the answer. */
export type FailureLog = (reason: DependencyFailure, error: unknown) => void;

export interface CheckResult<F extends object> {
  readonly status: DependencyStatus;
  /** The probe's facts, when it answered in time. */
  readonly facts?: F;
}

/** A probe that did not answer within its time. */
export class CheckTimeout extends Error {
  override readonly name = 'CheckTimeout';
  constructor(readonly timeoutMs: number) {
    super(`No answer within ${timeoutMs} ms.`);
  }
}

/**
 * Runs one probe, stopped after `timeoutMs` whether or not it heeds its abort signal, and reports
 * its status and latency. A probe that throws is unavailable, for a reason derived from the error;
 * the error itself goes to `log` only, since its message may name resources or carry a stack.
 */
export async function runCheck<F extends object>(probe: Probe<F>, timeoutMs: number, log: FailureLog): Promise<CheckResult<F>> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const timeout = new CheckTimeout(timeoutMs);
      controller.abort(timeout);
      reject(timeout);
    }, timeoutMs);
  });
  try {
    const { usable, ...facts } = await Promise.race([probe(controller.signal), timedOut]);
    const status: DependencyStatus = usable
      ? { status: 'ok', latencyMs: latencyMs() }
      : { status: 'unavailable', latencyMs: latencyMs(), reason: 'NotUsable' };
    return { status, facts: facts as unknown as F };
  } catch (error) {
    const reason = failureOf(error);
    log(reason, error);
    return { status: { status: 'unavailable', latencyMs: latencyMs(), reason } };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);
const REFUSED = new Set(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const FILE_REFUSED = new Set(['EACCES', 'EPERM', 'EROFS']);

interface ErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * The reason for a failed check: a refusal of the service's role (or of its file system access),
 * throttling, a dependency that cannot be reached or answers that it cannot serve now (5xx), or
 * anything else.
 */
export function failureOf(error: unknown): DependencyFailure {
  if (error instanceof CheckTimeout) return 'Timeout';
  const { name = '', code = '', $metadata } = (typeof error === 'object' && error !== null ? error : {}) as ErrorShape;
  if (THROTTLING.has(name)) return 'Throttled';
  if (REFUSED.has(name) || FILE_REFUSED.has(code)) return 'AccessDenied';
  if (NETWORK_CODES.has(code) || ($metadata?.httpStatusCode ?? 0) >= 500 || name === 'TimeoutError') return 'Unreachable';
  return 'Failed';
}
