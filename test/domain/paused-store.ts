import type { DataKeyStore } from '../../lambdas/domain/data-key-store.js';

type StoreMethod = { [M in keyof DataKeyStore]: DataKeyStore[M] extends (...args: never[]) => unknown ? M : never }[keyof DataKeyStore];

export interface PausedStore {
  /** The store as one process sees it: its first call of the method waits for `resume`. */
  readonly store: DataKeyStore;
  /** Settles when the process has reached that call, and waits. */
  readonly reached: Promise<void>;
  readonly resume: () => void;
}

/**
 * The real store, for a process that stalls right before its first call of `method` (a slow
 * Lambda, a long GC pause) while others go on: to play a race out in a chosen order.
 */
export function pausedBefore(store: DataKeyStore, method: StoreMethod): PausedStore {
  let arrive = () => {};
  let resume = () => {};
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const resumed = new Promise<void>((resolve) => (resume = resolve));
  let paused = false;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== method || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (!paused) {
          paused = true;
          arrive();
          await resumed;
        }
        return value.apply(target, args);
      };
    },
  });
  return { store: proxy, reached, resume };
}
