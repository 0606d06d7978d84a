import { describe, expect, it } from 'vitest';
import { keyHref, routeOf } from '../../packages/console/src/router.js';

describe('routeOf', () => {
  it.each([
    ['/', { page: 'keys' }],
    ['/keys', { page: 'keys' }],
    ['/keys/create', { page: 'createKey' }],
    ['/master-key', { page: 'masterKey' }],
    ['/activity', { page: 'activity' }],
    ['/keys/a/b', { page: 'notFound' }],
    ['/nope', { page: 'notFound' }],
  ])('%s is %o', (path, route) => expect(routeOf(path)).toEqual(route));

  it("round-trips a key's page through keyHref, whatever its id holds", () => {
    for (const keyId of ['0b6c8f3e-1d2a-4c5b-9e7f-123456789abc', 'alias/orders', 'a b%c']) {
      expect(routeOf(keyHref(keyId))).toEqual({ page: 'key', keyId });
    }
  });
});
