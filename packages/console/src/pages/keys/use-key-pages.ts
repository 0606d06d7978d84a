import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client.js';
import type { KeyPage } from '../../api/types.js';
import { describeError } from '../../notifications.js';
import type { KeyRow } from './key-columns.js';

export interface KeyPages {
  readonly keys: readonly KeyRow[];
  /** The API's token for the next page; undefined once every key is loaded. */
  readonly nextToken: string | undefined;
  readonly loading: boolean;
  readonly error: string | undefined;
  readonly loadMore: () => Promise<void>;
  readonly reload: () => void;
}

/** The API's pages of keys (50 at a time, its default), loaded as the user pages past them. */
export function useKeyPages(tag: string | undefined): KeyPages {
  const [keys, setKeys] = useState<readonly KeyRow[]>([]);
  const [nextToken, setNextToken] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const generation = useRef(0);

  const fetchPage = useCallback(
    async (token: string | undefined, replace: boolean) => {
      const mine = replace ? ++generation.current : generation.current;
      setLoading(true);
      setError(undefined);
      try {
        const page = await api<KeyPage>('GET', '/v1/keys', { query: { nextToken: token, tag } });
        if (mine !== generation.current) return;
        setKeys((current) => (replace ? page.keys : [...current, ...page.keys]));
        setNextToken(page.nextToken);
      } catch (failure) {
        if (mine === generation.current) setError(describeError(failure));
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [tag],
  );

  const reload = useCallback(() => void fetchPage(undefined, true), [fetchPage]);
  useEffect(reload, [reload]);
  const loadMore = useCallback(() => fetchPage(nextToken, false), [fetchPage, nextToken]);
  return { keys, nextToken, loading, error, loadMore, reload };
}
