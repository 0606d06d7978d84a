import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client.js';
import type { KeyMetadata } from '../../api/types.js';
import { keyPath } from './key-path.js';

export interface LoadedKey {
  /** The key's metadata, kept while a reload is under way. */
  readonly key: KeyMetadata | undefined;
  /** Why the key could not be read (an `ApiError`: a user of the key gets `AccessDenied`). */
  readonly error: unknown;
  readonly loading: boolean;
  readonly reload: () => Promise<void>;
}

/** `GET /v1/keys/{key}`, which answers administrators only. */
export function useKey(keyId: string): LoadedKey {
  const [key, setKey] = useState<KeyMetadata>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++latest.current;
    setLoading(true);
    try {
      const loaded = await api<KeyMetadata>('GET', keyPath(keyId));
      if (mine !== latest.current) return;
      setKey(loaded);
      setError(undefined);
    } catch (failure) {
      if (mine !== latest.current) return;
      setKey(undefined);
      setError(failure);
    } finally {
      if (mine === latest.current) setLoading(false);
    }
  }, [keyId]);

  useEffect(() => void reload(), [reload]);
  return { key, error, loading, reload };
}
