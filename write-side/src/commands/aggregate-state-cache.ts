/**
 * Aggregate states by stream, with the revision they were folded up to. A hit still reads the stream's
 * tail after that revision, so another process's appends are never missed; the cache only saves the
 * fold of what was already seen. Bounded: least recently used entries are dropped.
 */
export interface AggregateStateCache {
  get(stream: string): { revision: bigint; state: unknown } | undefined;
  set(stream: string, revision: bigint, state: unknown): void;
  delete(stream: string): void;
  readonly size: number;
}

export function createAggregateStateCache(maxEntries = 10_000): AggregateStateCache {
  const entries = new Map<string, { revision: bigint; state: unknown }>();
  return {
    get(stream) {
      const entry = entries.get(stream);
      if (!entry) return undefined;
      // Re-insert to mark as most recently used (Map keeps insertion order).
      entries.delete(stream);
      entries.set(stream, entry);
      return entry;
    },
    set(stream, revision, state) {
      entries.delete(stream);
      entries.set(stream, { revision, state });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
    },
    delete(stream) {
      entries.delete(stream);
    },
    get size() {
      return entries.size;
    },
  };
}
