/**
 * A bounded, time-limited cache with single-flight loading: concurrent misses for the same key
 * share one load. Entries leave after `maxAgeMs`, or least-recently-used first beyond
 * `maxEntries`. Values are not wiped on eviction: cached data keys are KeyObjects, which hold
 * their bytes outside the JS heap until garbage collection (see docs/security.md, "What is wiped").
 */
export interface ExpiringCacheOptions {
  readonly maxAgeMs: number;
  readonly maxEntries: number;
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: V;
  readonly loadedAt: number;
}

export class ExpiringCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V>>();
  private readonly now: () => number;

  constructor(private readonly options: ExpiringCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.maxAgeMs > 0 && this.options.maxEntries > 0;
  }

  /** The cached value, or the result of `load` (shared with concurrent callers for this key). */
  async get(key: string, load: () => Promise<V>): Promise<V> {
    const cached = this.peek(key);
    if (cached !== undefined) return cached;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const loading: Promise<V> = load().then(
      (value) => {
        // A load that `forget` disowned meanwhile may predate what it was dropped for: not cached.
        if (this.loading.get(key) === loading) {
          this.loading.delete(key);
          this.store(key, value);
        }
        return value;
      },
      (error: unknown) => {
        if (this.loading.get(key) === loading) this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, loading);
    return loading;
  }

  /** A fresh cached value, refreshed as most recently used; expired entries are evicted. */
  peek(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (this.now() - entry.loadedAt >= this.options.maxAgeMs) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets the key's value and any load of it in flight, which may predate a change: the next `get` loads afresh. */
  forget(key: string): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private store(key: string, value: V): void {
    // A disabled cache keeps nothing; the value stays the caller's.
    if (!this.enabled) return;
    this.delete(key);
    this.entries.set(key, { value, loadedAt: this.now() });
    while (this.entries.size > this.options.maxEntries) {
      this.delete(this.entries.keys().next().value!);
    }
  }
}
