import { createHmac } from 'node:crypto';
import type { EncryptionContext } from './encryption-context.js';
import { keyIdOfGrant } from './grants.js';

/** Marks a value that the record holds only as its HMAC under the deployment's audit key. */
export const AUDIT_HASH_PREFIX = 'hmac-sha256:';

/**
 * Hashes what may be sensitive (aliases, context values) as Vault's audit devices do: HMAC-SHA256
 * under the deployment's audit key, hex. Equal values hash alike, so an investigator holding a
 * value and the key finds its records; without the key, a guess cannot be checked.
 */
export class AuditHasher {
  constructor(private readonly key: string) {
    if (key.length < 32) throw new Error('The audit key must be at least 32 characters.');
  }

  hash(value: string): string {
    return AUDIT_HASH_PREFIX + createHmac('sha256', this.key).update(value, 'utf8').digest('hex');
  }
}

/** `ok`, or the API error code the request (or a batch item) was answered with. */
export type AuditOutcome = string;

/** What a request does to keys: uses them, changes them, or reads them. */
export type AuditCategory = 'use' | 'change' | 'read';

/** The items of a batch that had one key version and one outcome. */
export interface AuditItemCount {
  /** Null for items refused before their key was known (a malformed item or ciphertext). */
  readonly keyId: string | null;
  readonly keyVersion: number | null;
  readonly outcome: AuditOutcome;
  readonly count: number;
}

/**
 * What an administrative change set, beyond its key: principal ARNs and grant ids, which are not
 * secret (CloudTrail records KMS's the same way); never constraint values or tag values.
 */
export type AuditChange = Readonly<Record<string, string | number | readonly string[]>>;

/** What the HTTP layer knows of a request when it ends. */
export interface AuditRequest {
  readonly time: Date;
  /** API Gateway's request id, which the caller's answer and the access log carry too. */
  readonly requestId: string | null;
  readonly lambdaRequestId: string;
  /** The principal as API Gateway's IAM authorization authenticated it; null if none reached the function. */
  readonly caller: string | null;
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  /** `METHOD /resource`, as API Gateway names the route. */
  readonly route: string;
  /** The contract's operation id (`encrypt`, `putKeyPolicy`), or `unknown`. */
  readonly operation: string;
  readonly category: AuditCategory;
  readonly outcome: AuditOutcome;
  readonly status: number;
  readonly latencyMs: number;
}

/** How a retry with an `Idempotency-Key` was answered without making its change: see idempotency.ts. */
export type AuditReplay = 'stored' | 'recovered';

/**
 * Written before a change runs, so that a change whose process dies before its answer is still
 * on the record: its outcome comes later, from the same invocation or from a retry of the request.
 */
export interface AuditIntent
  extends Pick<
    AuditRecord,
    | 'time'
    | 'requestId'
    | 'lambdaRequestId'
    | 'caller'
    | 'sourceIp'
    | 'userAgent'
    | 'route'
    | 'operation'
    | 'category'
    | 'keyIds'
    | 'aliases'
    | 'idempotencyKey'
  > {
  readonly phase: 'intent';
}

/** One request, as the audit trail keeps it. Never a plaintext, a data key, a ciphertext, a context value or an alias in clear. */
export interface AuditRecord extends Omit<AuditRequest, 'time'> {
  /** An outcome; changes have an intent before it (`AuditIntent`). */
  readonly phase: 'outcome';
  /** ISO 8601. */
  readonly time: string;
  /** Every data key the request named or touched, by id (random UUIDs that reveal nothing); any other name goes to `aliases`. */
  readonly keyIds: readonly string[];
  /** Aliases the request named or set, and any other name it gave a key, hashed. */
  readonly aliases: readonly string[];
  readonly keyVersions: readonly number[];
  /** A single item's encryption context: keys in clear, values hashed (at most `AUDIT_MAX_CONTEXT_ENTRIES`, sorted by key). */
  readonly context?: Readonly<Record<string, string>>;
  /** The context's number of entries, when the record could not keep them all. */
  readonly contextEntries?: number;
  /** A batch: its size, and its items counted per key version and outcome. */
  readonly batch?: { readonly items: number; readonly counts: readonly AuditItemCount[] };
  readonly change?: AuditChange;
  /** The request's `Idempotency-Key`, hashed: the attempts of one request carry the same. */
  readonly idempotencyKey?: string;
  /** Set when the answer is an earlier attempt's: its stored answer, or its change found and answered. */
  readonly replay?: AuditReplay;
}

/** What the audit trail holds: outcomes, and the intents of changes. */
export type AuditEntry = AuditIntent | AuditRecord;

/** A data key version an item or request used, when known. */
export interface AuditKeyRef {
  readonly keyId: string;
  readonly keyVersion?: number;
}

/**
 * What a change touched, kept with its stored answer: a retry answered from that answer, which does
 * not run the route, reports the same keys, versions and change as the attempt that made it.
 */
export interface AuditTouched {
  readonly keyIds: readonly string[];
  readonly aliases: readonly string[];
  readonly keyVersions: readonly number[];
  readonly change?: AuditChange;
}

/**
 * What the routes learn about the keys a request touches, collected while it runs and read once
 * at its end. Plain values only; hashing happens when the record is built.
 */
export class AuditFacts {
  private readonly keyIds = new Set<string>();
  private readonly aliases = new Set<string>();
  private readonly versions = new Set<number>();
  private readonly items = new Map<string, AuditItemCount>();
  private itemTotal: number | undefined;
  private context: EncryptionContext | undefined;
  private change: AuditChange | undefined;
  private idempotencyKey: string | undefined;
  private replay: AuditReplay | undefined;

  /**
   * A key as the caller named it: its id, or `alias/<name>`. Only a well-formed key id is kept in
   * clear; any other name is the caller's text (a bare alias, a typo, an e-mail address) and is kept
   * hashed, as aliases are.
   */
  keyNamed(ref: string | undefined): this {
    if (ref === undefined || ref === '') return this;
    if (KEY_ID.test(ref)) this.keyIds.add(ref);
    else this.aliases.add(ref.startsWith('alias/') ? ref.slice('alias/'.length) : ref);
    return this;
  }

  aliasSet(alias: string | null | undefined): this {
    if (alias) this.aliases.add(alias);
    return this;
  }

  keyUsed(ref: AuditKeyRef | undefined, ...moreVersions: number[]): this {
    if (!ref) return this;
    this.keyNamed(ref.keyId);
    for (const version of [ref.keyVersion, ...moreVersions]) if (version !== undefined) this.versions.add(version);
    return this;
  }

  contextGiven(context: EncryptionContext | undefined): this {
    this.context = context;
    return this;
  }

  batchOf(items: number): this {
    this.itemTotal = items;
    return this;
  }

  /** `count` batch items (one by default) of one key version (if known) and outcome. */
  itemDone(ref: AuditKeyRef | undefined, outcome: AuditOutcome, count = 1): this {
    this.keyUsed(ref);
    const keyId = ref?.keyId ?? null;
    const keyVersion = ref?.keyVersion ?? null;
    const slot = `${keyId}#${keyVersion}#${outcome}`;
    this.items.set(slot, { keyId, keyVersion, outcome, count: (this.items.get(slot)?.count ?? 0) + count });
    return this;
  }

  /** A grant as the caller named it: a well-formed id is kept, with the key it names; other text is not. */
  grantNamed(grantId: string | undefined): this {
    const keyId = grantId === undefined ? undefined : keyIdOfGrant(grantId);
    return keyId ? this.keyNamed(keyId).changed({ grantId: grantId! }) : this;
  }

  changed(change: AuditChange): this {
    this.change = { ...this.change, ...change };
    return this;
  }

  /** The request carried this `Idempotency-Key` (hashed in the record). */
  retryableWith(idempotencyKey: string): this {
    this.idempotencyKey = idempotencyKey;
    return this;
  }

  replayed(replay: AuditReplay | undefined): this {
    this.replay = replay;
    return this;
  }

  /** What this change touched, for its stored answer. */
  touched(): AuditTouched {
    return { keyIds: [...this.keyIds], aliases: [...this.aliases], keyVersions: [...this.versions], ...(this.change && { change: this.change }) };
  }

  /** Reports what an earlier attempt touched (its stored answer's), as if this attempt had. */
  retouch({ keyIds, aliases, keyVersions, change }: AuditTouched): this {
    for (const keyId of keyIds) this.keyIds.add(keyId);
    for (const alias of aliases) this.aliases.add(alias);
    for (const version of keyVersions) this.versions.add(version);
    return change ? this.changed(change) : this;
  }

  /** The ids of the keys named or touched so far, as given (a route may name a key that does not exist). */
  keyIdsSoFar(): readonly string[] {
    return [...this.keyIds];
  }

  /** The record for these facts and the request's own: hashed where the values may be sensitive. */
  record(request: AuditRequest, hasher: AuditHasher): AuditRecord {
    const context = this.itemTotal === undefined && this.context !== undefined ? boundedContext(this.context, hasher) : undefined;
    return {
      phase: 'outcome',
      ...this.commonFields(request, hasher),
      keyVersions: [...this.versions].sort((a, b) => a - b),
      ...context,
      ...(this.itemTotal !== undefined && { batch: { items: this.itemTotal, counts: [...this.items.values()] } }),
      ...(this.change && { change: this.change }),
      ...(this.replay && { replay: this.replay }),
      outcome: request.outcome,
      status: request.status,
      latencyMs: Math.round(request.latencyMs * 100) / 100,
    };
  }

  /** The intent of a change about to run: what is known of it before it runs. */
  intent(request: Omit<AuditRequest, 'outcome' | 'status' | 'latencyMs'>, hasher: AuditHasher): AuditIntent {
    return { phase: 'intent', ...this.commonFields(request, hasher) };
  }

  private commonFields(request: Omit<AuditRequest, 'outcome' | 'status' | 'latencyMs'>, hasher: AuditHasher) {
    return {
      time: request.time.toISOString(),
      requestId: request.requestId,
      lambdaRequestId: request.lambdaRequestId,
      caller: request.caller,
      sourceIp: request.sourceIp,
      userAgent: request.userAgent,
      route: request.route,
      operation: request.operation,
      category: request.category,
      keyIds: [...this.keyIds],
      aliases: [...this.aliases].map((alias) => hasher.hash(alias)),
      ...(this.idempotencyKey !== undefined && { idempotencyKey: hasher.hash(this.idempotencyKey) }),
    };
  }
}

/** Key ids are random UUIDs (`randomUUID`), lower case. */
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Context entries a record keeps, sorted by key. A context may hold thousands of tiny entries
 * within its 8 KiB; with a hash per value their record would outgrow a CloudWatch Logs event, so
 * past this many the record keeps the first ones and the total in `contextEntries`.
 */
export const AUDIT_MAX_CONTEXT_ENTRIES = 64;

function boundedContext(context: EncryptionContext, hasher: AuditHasher): Pick<AuditRecord, 'context' | 'contextEntries'> {
  const entries = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const kept = Object.fromEntries(entries.slice(0, AUDIT_MAX_CONTEXT_ENTRIES).map(([key, value]) => [key, hasher.hash(value)]));
  return entries.length > AUDIT_MAX_CONTEXT_ENTRIES ? { context: kept, contextEntries: entries.length } : { context: kept };
}
