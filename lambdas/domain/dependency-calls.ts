import { ServiceError } from './errors.js';

/** How a call to KMS or DynamoDB ended, once the AWS SDK's own retries were spent. */
export type DependencyCallOutcome = 'ok' | 'throttled' | 'failed';

export interface DependencyCall {
  readonly outcome: DependencyCallOutcome;
  readonly durationMs: number;
}

/** Told of every call a choke point makes; what becomes of it (metrics) is not the domain's business. */
export type DependencyObserver = (call: DependencyCall) => void;

export const UNOBSERVED_CALLS: DependencyObserver = () => {};

/**
 * Runs one call through a choke point, translates its failure and reports how it went. A failure
 * the translation leaves as it is (a write condition that did not hold, a malformed ciphertext)
 * is the dependency's answer, so it counts as ok; `failed` means the dependency could not serve.
 */
export async function observedCall<T>(operation: () => Promise<T>, translate: (error: unknown) => unknown, observe: DependencyObserver): Promise<T> {
  const started = performance.now();
  let outcome: DependencyCallOutcome = 'ok';
  try {
    return await operation();
  } catch (error) {
    const translated = translate(error);
    if (translated instanceof ServiceError) outcome = translated.code === 'Throttled' ? 'throttled' : 'failed';
    throw translated;
  } finally {
    observe({ outcome, durationMs: performance.now() - started });
  }
}
