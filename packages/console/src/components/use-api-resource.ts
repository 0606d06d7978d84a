import { useCallback, useEffect, useRef, useState } from 'react';
import { useSession } from '../session.js';

export interface ApiResource<T> {
  readonly data: T | undefined;
  /** The failure, as thrown (an `ApiError` carries the API's code and message). */
  readonly error: unknown;
  readonly loading: boolean;
  readonly reload: () => void;
}

/**
 * Loads what `load` answers, again whenever `load` changes (memoise it on its inputs), the local
 * identity calls are signed as changes, or `reload` is called. Only the latest load's answer is kept: an earlier one that arrives late is dropped,
 * and one the page left is aborted.
 */
export function useApiResource<T>(load: (signal: AbortSignal) => Promise<T>): ApiResource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const current = useRef<AbortController>(undefined);
  const { identity } = useSession();

  // biome-ignore lint/correctness/useExhaustiveDependencies: calls are signed as the identity, so another one may get another answer.
  const reload = useCallback(async () => {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setLoading(true);
    setError(undefined);
    try {
      const answer = await load(controller.signal);
      if (!controller.signal.aborted) setData(answer);
    } catch (failure) {
      if (controller.signal.aborted) return;
      setData(undefined);
      setError(failure);
    } finally {
      if (!controller.signal.aborted) setLoading(false);
    }
  }, [load, identity]);

  useEffect(() => {
    void reload();
    return () => current.current?.abort();
  }, [reload]);

  return { data, error, loading, reload: () => void reload() };
}
