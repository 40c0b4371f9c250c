/**
 * A bounded least-recently-used map with an optional time to live, on a `Map` (which keeps
 * insertion order: re-inserting an entry makes it the most recent, the first key is the least).
 * A resource: it owns its entries.
 *
 * A hit moves the entry to the most recent end only when it is not among the newest half of the
 * entries (by insertion): re-inserting costs two hash-table operations, and the hot entries of a
 * busy cache (the keys of the subjects being written) are hit on every append. So an entry used
 * recently still survives at least `maxEntries / 2` further insertions (exact LRU for 2 entries).
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number; stamp: number }>();
  /** Insertions so far: an entry's stamp is the count at its last insertion. */
  #stamp = 0;
  readonly #touchAfter: number;

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number = Number.POSITIVE_INFINITY,
    readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be positive, got ${ttlMs}`);
    this.#touchAfter = maxEntries >> 1;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== Number.POSITIVE_INFINITY && entry.expiresAt <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    if (this.#stamp - entry.stamp >= this.#touchAfter) {
      this.#entries.delete(key);
      entry.stamp = ++this.#stamp;
      this.#entries.set(key, entry);
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.now() + this.ttlMs, stamp: ++this.#stamp });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
