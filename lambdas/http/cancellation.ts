import { AsyncLocalStorage } from 'node:async_hooks';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Work done for a request stops when the request ends. A handler that answers (an error, or the
 * early timeout) may leave calls running, and in Lambda they would resume when the instance next
 * thaws: a create answered 503 could complete a minute later. Every AWS SDK call made while serving
 * a request carries that request's abort signal, without the domain having to pass it along.
 */
const requests = new AsyncLocalStorage<AbortSignal>();

/** Runs `work` with `signal` as the abort signal of every AWS call it makes. */
export function runAbortable<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return requests.run(signal, work);
}

/**
 * The SDK's HTTP handler, with the current request's abort signal on calls that carry none: a call
 * in flight is cut when the request ends, and one started after it fails at once (AbortError).
 */
export class RequestScopedHttpHandler extends NodeHttpHandler {
  override handle(...[request, options = {}]: Parameters<NodeHttpHandler['handle']>) {
    return super.handle(request, { ...options, abortSignal: options.abortSignal ?? requests.getStore() });
  }
}
