import { useCallback, useState } from 'react';

/** Whether an action is under way, for its button's spinner: `run` wraps the action. */
export function usePending(): [boolean, <T>(action: () => Promise<T>) => Promise<T>] {
  const [pending, setPending] = useState(false);
  const run = useCallback(async <T>(action: () => Promise<T>) => {
    setPending(true);
    try {
      return await action();
    } finally {
      setPending(false);
    }
  }, []);
  return [pending, run];
}
