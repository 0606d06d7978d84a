/**
 * What the console's own server answers besides the API's routes, under `/console/`. The UI
 * imports these types; the server implements them.
 */

/** `GET /console/session`: where the console is pointed and, for `npm start`, who it may act as. */
export interface ConsoleSession {
  /** The API the calls are forwarded to. */
  readonly endpoint: string;
  readonly region: string;
  /** `local` when `npm start` serves the console (identities to pick from); `aws` for `envelope console`. */
  readonly mode: 'local' | 'aws';
  /** The identities the UI may pick, by name, with the `x-envelope-identity` header; none in `aws` mode. */
  readonly identities: readonly ConsoleIdentity[];
  /** The server stops after this many minutes without a request; absent when it stops only with `npm start`. */
  readonly idleMinutes?: number;
  /** In `aws` mode, whose credentials sign: the profile, if one is named, and the access key id with its middle masked. */
  readonly signer?: string;
}

export interface ConsoleIdentity {
  readonly name: string;
  readonly arn: string;
  /** What it may do, in a few words (its caller policies). */
  readonly description: string;
}

/** The request header naming the local identity a forwarded call is signed as (`local` mode only). */
export const IDENTITY_HEADER = 'x-envelope-identity';

/** The header every call of the page carries the page key in (see session.ts: the cookie alone is not bound to the port). */
export const PAGE_KEY_HEADER = 'x-envelope-console-key';

/** The redirect's fragment field that carries the page key (a fragment never reaches a server or a Referer). */
export const PAGE_KEY_FRAGMENT = 'console-key';

/** `GET /console/activity`: the audit trail's outcome records that match, newest first. */
export interface ActivityQuery {
  /** A key id or alias. */
  readonly key?: string;
  /** A caller's ARN. */
  readonly principal?: string;
  /** ISO dates; @default the last 24 hours */
  readonly from?: string;
  readonly to?: string;
}

export interface ActivityRecord {
  readonly time: string;
  readonly caller: string;
  /** The operation, as the contract names it (`encrypt`, `createKey`, ...). */
  readonly operation: string;
  readonly status: number;
  /** `Success`, or the error code the caller got. */
  readonly outcome: string;
  readonly keyIds: readonly string[];
}

/** The most records one Activity page holds: the newest that match. */
export const ACTIVITY_LIMIT = 1000;

export interface ActivityPage {
  /** `local`: the runtime's audit records; `logs-insights`: the stack's saved queries in CloudWatch Logs. */
  readonly source: 'local' | 'logs-insights';
  /** At most `ACTIVITY_LIMIT`, newest first. */
  readonly records: readonly ActivityRecord[];
  /** More records matched than `records` holds; the hourly counts cover them all. */
  readonly truncated?: boolean;
  /** The range read, as ISO dates (the last 24 hours unless the query gave one). */
  readonly from?: string;
  readonly to?: string;
  /** Uses (answers below 400) and denials (403) per hour, oldest first. */
  readonly hourly: readonly { readonly hour: string; readonly uses: number; readonly denials: number }[];
}
