import { setTimeout as sleep } from 'node:timers/promises';
import { EnvelopeApiError } from './errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** Longest wait between attempts, whatever `Retry-After` says. @default 20 s */
  readonly maxDelayMs?: number;
}

/**
 * Runs `attempt` again after a 429 or 503, waiting what the service's `Retry-After` asks, or
 * exponential backoff with full jitter when it asks nothing. Any other failure is final.
 */
export async function withRetries<T>(attempt: () => Promise<T>, { maxAttempts = 3, maxDelayMs = 20_000 }: RetryPolicy = {}): Promise<T> {
  for (let attempts = 1; ; attempts++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof EnvelopeApiError) || !error.retryable || attempts >= maxAttempts) throw error;
      const delay = error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : Math.random() * 100 * 2 ** attempts;
      await sleep(Math.min(delay, maxDelayMs));
    }
  }
}
