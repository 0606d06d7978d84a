import { describe, expect, it } from 'vitest';
import { ExpiringCache } from '../../lambdas/domain/expiring-cache.js';

/** A load the test finishes when it chooses. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('ExpiringCache', () => {
  const cache = () => new ExpiringCache<string>({ maxAgeMs: 60_000, maxEntries: 10, now: () => 0 });

  it('shares one load among concurrent misses', async () => {
    const values = cache();
    const load = deferred<string>();
    let loads = 0;
    const loader = () => {
      loads++;
      return load.promise;
    };
    const both = Promise.all([values.get('k', loader), values.get('k', loader)]);
    load.resolve('v1');
    expect(await both).toEqual(['v1', 'v1']);
    expect(loads).toBe(1);
  });

  it('after forget, loads afresh instead of joining a load in flight, and never caches the older one', async () => {
    const values = cache();
    const older = deferred<string>();
    const first = values.get('k', () => older.promise);
    values.forget('k');
    const second = values.get('k', async () => 'v2');
    older.resolve('v1');
    expect(await first).toBe('v1');
    expect(await second).toBe('v2');
    expect(await values.get('k', async () => 'v3')).toBe('v2');
  });
});
