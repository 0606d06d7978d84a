import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client.js';
import type { Grant, GrantPage } from '../../api/types.js';
import { keyPath } from './key-path.js';

export interface GrantPages {
  readonly grants: readonly Grant[];
  /** The API's token for the next page; undefined once every grant is loaded. */
  readonly nextToken: string | undefined;
  readonly loading: boolean;
  readonly error: unknown;
  readonly loadMore: () => Promise<void>;
  readonly reload: () => Promise<void>;
}

/** The key's active grants, `pageSize` at a time as the API pages them, each page loaded as the user pages to it. */
export function useGrants(keyId: string, pageSize: number): GrantPages {
  const [grants, setGrants] = useState<readonly Grant[]>([]);
  const [nextToken, setNextToken] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const generation = useRef(0);

  const fetchPage = useCallback(
    async (token: string | undefined) => {
      const mine = token === undefined ? ++generation.current : generation.current;
      setLoading(true);
      try {
        const page = await api<GrantPage>('GET', keyPath(keyId, '/grants'), { query: { limit: pageSize, nextToken: token } });
        if (mine !== generation.current) return;
        setGrants((current) => (token === undefined ? page.grants : [...current, ...page.grants]));
        setNextToken(page.nextToken);
        setError(undefined);
      } catch (failure) {
        if (mine === generation.current) setError(failure);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [keyId, pageSize],
  );

  const reload = useCallback(() => fetchPage(undefined), [fetchPage]);
  useEffect(() => void reload(), [reload]);
  const loadMore = useCallback(() => fetchPage(nextToken), [fetchPage, nextToken]);
  return { grants, nextToken, loading, error, loadMore, reload };
}
