import { useCallback, useState } from 'react';

export type Attempt<T> =
  | { readonly state: 'idle' }
  | { readonly state: 'pending' }
  | { readonly state: 'done'; readonly result: T }
  | { readonly state: 'failed'; readonly error: unknown };

/** The last outcome of a call the user may repeat, its answer or its error, kept for display. */
export function useAttempt<T>(): [Attempt<T>, (call: () => Promise<T>) => Promise<void>] {
  const [attempt, setAttempt] = useState<Attempt<T>>({ state: 'idle' });
  const run = useCallback(async (call: () => Promise<T>) => {
    setAttempt({ state: 'pending' });
    try {
      setAttempt({ state: 'done', result: await call() });
    } catch (error) {
      setAttempt({ state: 'failed', error });
    }
  }, []);
  return [attempt, run];
}
