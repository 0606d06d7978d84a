import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { API_ROUTES } from '../../contract/routes.js';
import { API_FUNCTIONS, API_FUNCTION_NAMES } from '../../lib/functions.js';

/**
 * The contract's `idempotent` flag and the functions agree: each function's handler, imported from
 * the entry lib/functions.ts deploys, serves every route the contract marks idempotent through the
 * Idempotency-Key wrapper (lambdas/http/idempotency.ts), and no other route through it.
 */
const seen = vi.hoisted(() => ({ wrapped: new Set<unknown>(), served: new Map<string, Record<string, unknown>>(), loading: '' }));

vi.mock('../../lambdas/http/idempotency.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../lambdas/http/idempotency.js')>();
  const retryable: typeof original.retryable = (routes, ...rest) => {
    const result = original.retryable(routes, ...rest);
    for (const [name, route] of Object.entries(result)) if (route !== routes[name]) seen.wrapped.add(route);
    return result;
  };
  return { ...original, retryable };
});

vi.mock('../../lambdas/http/api-handler.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../lambdas/http/api-handler.js')>();
  const apiHandler: typeof original.apiHandler = (routes) => {
    seen.served.set(seen.loading, routes);
    return original.apiHandler(routes);
  };
  return { ...original, apiHandler };
});

describe('idempotent routes', () => {
  it('are the ones, and the only ones, their function serves through the idempotency wrapper', async () => {
    for (const name of API_FUNCTION_NAMES) {
      seen.loading = name;
      await import(join('../..', API_FUNCTIONS[name].entry));
    }
    const wrapped = (route: (typeof API_ROUTES)[number]) => {
      const served = seen.served.get(route.function)?.[`${route.method} ${route.resource}`];
      return seen.wrapped.has(served);
    };
    const idempotent = API_ROUTES.filter((route) => 'idempotent' in route && route.idempotent);
    expect(idempotent.length).toBeGreaterThan(0);
    for (const route of API_ROUTES) {
      expect({ route: route.operationId, wrapped: wrapped(route) }).toEqual({ route: route.operationId, wrapped: idempotent.includes(route) });
    }
  });
});
