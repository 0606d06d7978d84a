import { createHash } from 'node:crypto';
import { IDEMPOTENCY_LIMITS, type Grant } from '../../contract/index.js';

/**
 * What a key's record remembers of a change made for a request: when, and what the answer needs
 * that the record may no longer hold (a grant revoked since).
 */
export interface RememberedRequest {
  /** Epoch seconds. */
  readonly at: number;
  readonly grant?: Grant;
}

/**
 * The request a change is made for, named by a token that every retry of the request computes
 * alike. The token is written by the same conditional write that makes the change (the version
 * item, the key's record), so a retry, however late and whatever became of the attempt before it,
 * finds the change instead of making another. A lock that expires cannot promise that: its holder
 * may die between the change and the release.
 */
export class ChangeRequest {
  private found = false;

  constructor(
    /** A hash of the caller, the route, the `Idempotency-Key` and the request (see `changeRequestToken`). */
    readonly token: string,
  ) {}

  /** Whether the change had been made by an earlier attempt of this request, and this one only answers it. */
  get recovered(): boolean {
    return this.found;
  }

  markRecovered(): void {
    this.found = true;
  }
}

/** The token of a request: 128 bits of SHA-256 over its parts, base64url (a short attribute name in DynamoDB). */
export function changeRequestToken(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${Buffer.byteLength(part)}:${part}`);
  return hash.digest().subarray(0, 16).toString('base64url');
}

/**
 * The key id a create request gives its key: derived from the token, so every attempt of the
 * request names the same key and a retry finds the one an earlier attempt created. A UUID of
 * RFC 9562's version 8 (custom): 122 bits of SHA-256, which reveal nothing of the request.
 */
export function keyIdFor(request: ChangeRequest): string {
  const bytes = createHash('sha256').update(`key-id:${request.token}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The remembered requests a record's next write keeps, and those it forgets: the expired ones, and
 * the oldest beyond the limit, so that the record stays small whatever the traffic on the key.
 */
export function requestsToForget(requests: Readonly<Record<string, RememberedRequest>> | undefined, now: Date): string[] {
  const oldestKept = now.getTime() / 1000 - IDEMPOTENCY_LIMITS.rememberedSeconds;
  const newestFirst = Object.entries(requests ?? {}).sort(([, a], [, b]) => b.at - a.at);
  // One place is kept for the request being remembered now.
  return newestFirst
    .filter(([, entry], index) => entry.at < oldestKept || index >= IDEMPOTENCY_LIMITS.maxRememberedPerKey - 1)
    .map(([token]) => token);
}

/** A record's memory of `request`, if it is still recent enough to count. */
export function rememberedChange(
  requests: Readonly<Record<string, RememberedRequest>> | undefined,
  request: ChangeRequest | undefined,
  now: Date,
): RememberedRequest | undefined {
  const entry = request && requests?.[request.token];
  return entry && entry.at >= now.getTime() / 1000 - IDEMPOTENCY_LIMITS.rememberedSeconds ? entry : undefined;
}
