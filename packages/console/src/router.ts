import { useSyncExternalStore } from 'react';

/** The console's pages, by path; anything else is not found. */
export type Route =
  | { readonly page: 'keys' }
  | { readonly page: 'createKey' }
  | { readonly page: 'key'; readonly keyId: string }
  | { readonly page: 'masterKey' }
  | { readonly page: 'activity' }
  | { readonly page: 'notFound' };

export function routeOf(pathname: string): Route {
  if (pathname === '/' || pathname === '/keys') return { page: 'keys' };
  if (pathname === '/keys/create') return { page: 'createKey' };
  const key = /^\/keys\/([^/]+)$/.exec(pathname);
  if (key) return { page: 'key', keyId: decodeURIComponent(key[1]!) };
  if (pathname === '/master-key') return { page: 'masterKey' };
  if (pathname === '/activity') return { page: 'activity' };
  return { page: 'notFound' };
}

export const keyHref = (keyId: string) => `/keys/${encodeURIComponent(keyId)}`;

const listeners = new Set<() => void>();
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
};
const snapshot = () => window.location.pathname + window.location.search;

/** The current path and query, re-rendering on every navigation. */
export function useLocation(): URL {
  const href = useSyncExternalStore(subscribe, snapshot);
  return new URL(href, window.location.origin);
}

/** Goes to a page of the console without reloading it. */
export function navigate(href: string, { replace = false } = {}): void {
  if (replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  for (const listener of listeners) listener();
}

/** For Cloudscape's `onFollow`: a plain click navigates in the app; a modified click opens a tab, as a link does. */
export function follow(event: CustomEvent<{ href?: string; external?: boolean }>): void {
  const href = event.detail.href;
  if (href === undefined || event.detail.external) return;
  event.preventDefault();
  navigate(href);
}
