import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * One run's secrets: the token the printed URL carries, and the session secret the cookie holds
 * once the browser has shown the token. Both 256 random bits.
 */
export interface Session {
  readonly token: string;
  readonly secret: string;
}

export const COOKIE_NAME = 'envelope-console';

export const newSession = (): Session => ({ token: randomSecret(), secret: randomSecret() });

const randomSecret = () => randomBytes(32).toString('base64url');

/** Compared as SHA-256 digests, so that neither the content nor the length of the secret leaks through timing. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The cookie that carries the session: out of scripts' reach, and never sent on a request another site starts. */
export const sessionCookie = (secret: string): string => `${COOKIE_NAME}=${secret}; HttpOnly; SameSite=Strict; Path=/`;

/** The session cookie's value in a `Cookie` header, if any. */
export function sessionFromCookies(header: string | undefined): string | undefined {
  for (const pair of header?.split(';') ?? []) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === COOKIE_NAME) return pair.slice(at + 1).trim();
  }
  return undefined;
}
