import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../contract/index.js';
import { apiRoute } from '../../packages/client/src/console/routes.js';

describe("the console's route table", () => {
  it('is the contract: every route, with any placeholder value, and nothing else', () => {
    for (const route of API_ROUTES) {
      expect(apiRoute(route.method, route.resource.slice(1).replace(/\{\w+\}/g, 'k1'))).toBe(route);
    }
    expect(apiRoute('GET', 'v1/keys/alias%2Forders')?.operationId).toBe('getKey');
    expect(apiRoute('PATCH', 'v1/keys')).toBeUndefined();
    expect(apiRoute('GET', 'v1/keys/k1/extra')).toBeUndefined();
    expect(apiRoute('GET', 'v2/keys')).toBeUndefined();
  });

  it('never lets a placeholder climb to another path', () => {
    for (const key of ['', '.', '..', '%2e', '%2E%2e', '.%2e', '%']) {
      expect(apiRoute('GET', `v1/keys/${key}`), key).toBeUndefined();
      expect(apiRoute('POST', `v1/keys/${key}/rotate`), key).toBeUndefined();
    }
  });
});
