/**
 * A small key-value cache port for hot read models (DESIGN.md §6: availability in Redis). Values are
 * strings (callers serialize). Two adapters: Redis (`redis-cache.ts`) and in-memory
 * (`memory-cache.ts`); `cache-contract.ts` holds the behaviour both must show.
 *
 * Entries are versioned for idempotent projections: {@link Cache.setIfNewer} writes only when its
 * version is greater than the stored one, so replaying a batch of events changes nothing.
 * A plain {@link Cache.set} or {@link Cache.del} replaces the entry and forgets its version.
 * Every write replaces the TTL too: without `ttlSeconds` the entry no longer expires (as Redis SET).
 */
export interface CacheSetOptions {
  /** Expire the entry after this many seconds (a positive integer). */
  readonly ttlSeconds?: number;
}

export interface Cache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  /** Values in the order of `keys`; null where absent or expired. */
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, options?: CacheSetOptions): Promise<void>;
  /**
   * Atomically writes `value` with `version` (a non-negative bigint, compared exactly) when the
   * entry is absent, unversioned, or holds a smaller version. Resolves true when it wrote.
   */
  setIfNewer(key: string, value: string, version: bigint, options?: CacheSetOptions): Promise<boolean>;
  /** Resolves the number of entries that existed and were removed. */
  del(keys: string | readonly string[]): Promise<number>;
  /** Round trip to the store, for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Validates the options shared by both adapters; returns the TTL in seconds, if any. */
export function ttlOf(options: CacheSetOptions | undefined): number | undefined {
  const ttl = options?.ttlSeconds;
  if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl <= 0)) {
    throw new RangeError(`ttlSeconds must be a positive integer, got ${ttl}`);
  }
  return ttl;
}

export function checkVersion(version: bigint): void {
  if (version < 0n) throw new RangeError(`version must be non-negative, got ${version}`);
}

export function keyList(keys: string | readonly string[]): readonly string[] {
  return typeof keys === 'string' ? [keys] : keys;
}
