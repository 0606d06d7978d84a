import { PAGE_KEY_FRAGMENT } from '../../../client/src/console/protocol.js';

export const PAGE_KEY_STORAGE = 'envelope-console.page-key';

/**
 * This page's key to the console's server: taken from the fragment the sign-in redirect adds (and
 * removed from the address bar), kept in `localStorage`, which no page of another origin (another
 * port included) can read, so that other tabs and reloads have it too.
 */
export function pageKey(): string | undefined {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const given = fragment.get(PAGE_KEY_FRAGMENT);
  if (given !== null) {
    window.localStorage.setItem(PAGE_KEY_STORAGE, given);
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}`);
  }
  return window.localStorage.getItem(PAGE_KEY_STORAGE) ?? undefined;
}
