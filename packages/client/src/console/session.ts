import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * One run's secrets, each 256 random bits: the token the printed URL carries; the session secret
 * the cookie holds once the browser has shown the token; and the page key, handed to the page in
 * the redirect's fragment and sent by it in `PAGE_KEY_HEADER` on every call.
 *
 * The cookie alone is not enough: browsers do not isolate cookies by port, so it also goes to any
 * other web server on 127.0.0.1 the browser visits, which could replay it. The page key lives in
 * the page's `localStorage`, which is isolated by origin, port included.
 */
export interface Session {
  readonly token: string;
  readonly secret: string;
  readonly pageKey: string;
}

/** One cookie name per port, so that two consoles in one browser do not overwrite each other's session. */
export const cookieName = (port: number): string => `envelope-console-${port}`;

export const newSession = (): Session => ({ token: randomSecret(), secret: randomSecret(), pageKey: randomSecret() });

const randomSecret = () => randomBytes(32).toString('base64url');

/** Compared as SHA-256 digests, so that neither the content nor the length of the secret leaks through timing. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The cookie that carries the session: out of scripts' reach, and never sent on a request another site starts. */
export const sessionCookie = (secret: string, port: number): string => `${cookieName(port)}=${secret}; HttpOnly; SameSite=Strict; Path=/`;

/** The session cookie's value in a `Cookie` header, if any. */
export function sessionFromCookies(header: string | undefined, port: number): string | undefined {
  const name = cookieName(port);
  for (const pair of header?.split(';') ?? []) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}
