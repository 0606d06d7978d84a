import { isDataKeyId } from './ciphertext-token.js';
import { ALIAS_PATTERN, ALIAS_PREFIX } from '../../contract/index.js';
import { isLive, type DataKeyRecord } from './data-key.js';
import type { DataKeyStore } from './data-key-store.js';
import { ServiceError } from './errors.js';
import { ExpiringCache } from './expiring-cache.js';

export interface KeyDirectoryOptions {
  /** How long a key's record (policy and state included) may be served from memory; 0 = never. */
  readonly maxAgeMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => Date;
}

/**
 * Finds live data keys by id or `alias/<name>`. With a max age, records and aliases are cached for
 * at most that long, so a policy or state change is seen within it; misses are never cached.
 */
export class KeyDirectory {
  private readonly records: ExpiringCache<DataKeyRecord>;
  private readonly aliases: ExpiringCache<string>;
  private readonly now: () => Date;
  private readonly rechecks = new Map<string, { readonly tokens: number; readonly at: number; readonly read: Promise<DataKeyRecord> }>();

  constructor(
    private readonly store: DataKeyStore,
    options: KeyDirectoryOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    // One clock for cache ages and deletion dates, so no cached record outlives its key's date.
    const limits = { maxAgeMs: options.maxAgeMs ?? 0, maxEntries: options.maxEntries ?? 1000, now: () => this.now().getTime() };
    this.records = new ExpiringCache(limits);
    this.aliases = new ExpiringCache(limits);
  }

  /** The live key `keyRef` names; `KeyNotFound` if there is none (or it has been deleted). */
  async find(keyRef: string): Promise<DataKeyRecord> {
    return this.get(await this.resolveKeyId(keyRef), keyRef);
  }

  async get(keyId: string, shownAs = keyId): Promise<DataKeyRecord> {
    const record = await this.records.get(keyId, async () => {
      const found = await this.store.getRecord(keyId);
      // A provisional record is not cached: once confirmed, it must be found at once.
      if (!found || found.provisional) throw notFound(shownAs);
      return found;
    });
    return this.live(record, shownAs);
  }

  /** Reads the key afresh, e.g. after a change, when nothing may predate it. */
  async refresh(keyId: string, shownAs = keyId): Promise<DataKeyRecord> {
    this.records.forget(keyId);
    return this.get(keyId, shownAs);
  }

  /**
   * Reads the key afresh to check a refusal again (or a version newer than the cached record), as
   * long as the key's budget of fresh reads allows (`RECHECKS`: a few at once, a few per second);
   * past it, refusals share the last fresh read. So a change is seen at once by the next request,
   * while a stream of refused requests (an old ciphertext sent in a loop, a batch of a thousand)
   * costs a few strongly consistent reads of the key's metadata item per second, not one each.
   */
  async recheck(keyId: string): Promise<DataKeyRecord> {
    // Without a cache every request reads the record anyway: a refusal reads it once more.
    if (!this.records.enabled) return this.refresh(keyId);
    const now = this.now().getTime();
    const budget = this.rechecks.get(keyId);
    const tokens = budget === undefined ? RECHECKS.burst : Math.min(RECHECKS.burst, budget.tokens + ((now - budget.at) * RECHECKS.perSecond) / 1000);
    if (budget !== undefined && tokens < 1) {
      this.rechecks.set(keyId, { ...budget, tokens, at: now });
      return this.live(await budget.read, keyId);
    }
    if (this.rechecks.size >= MAX_RECHECKED_KEYS) this.rechecks.clear();
    const read = this.refresh(keyId);
    this.rechecks.set(keyId, { tokens: tokens - 1, at: now, read });
    return read;
  }

  private live(record: DataKeyRecord, shownAs: string): DataKeyRecord {
    if (!isLive(record, this.now())) throw notFound(shownAs);
    return record;
  }

  private async resolveKeyId(keyRef: string): Promise<string> {
    if (keyRef.startsWith(ALIAS_PREFIX)) {
      const alias = keyRef.slice(ALIAS_PREFIX.length);
      if (!ALIAS_PATTERN.test(alias)) throw new ServiceError('ValidationError', `alias must match ${ALIAS_PATTERN.source}.`);
      return this.aliases.get(alias, async () => {
        const owner = await this.store.getAliasOwner(alias);
        if (owner === undefined) throw notFound(keyRef);
        return owner;
      });
    }
    if (!isDataKeyId(keyRef)) throw new ServiceError('ValidationError', 'key must be a key id (UUID) or alias/<name>.');
    return keyRef;
  }
}

/** The fresh reads refusals may make of one key: a burst, then a steady rate (a token bucket). */
const RECHECKS = { burst: 5, perSecond: 5 } as const;
const MAX_RECHECKED_KEYS = 1000;

const notFound = (keyRef: string) => new ServiceError('KeyNotFound', `Key ${keyRef} was not found.`);
