import { type Cache, checkVersion, keyList, ttlOf } from './cache.js';

export interface MemoryCacheOptions {
  /** Milliseconds since the epoch; tests pass a fake clock to step through TTLs. */
  readonly now?: () => number;
}

interface Entry {
  readonly value: string;
  readonly version: bigint | null;
  readonly expiresAt: number | null;
}

/** Writes between sweeps of expired entries never read again (reads drop them on sight). */
const SWEEP_EVERY = 1_000;

/** The cache in a Map, for embedded mode and tests. Single-threaded JS makes each call atomic. */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let closed = false;
  let writes = 0;

  const open = () => {
    if (closed) throw new Error('cache is closed');
  };
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry?.expiresAt != null && now() >= entry.expiresAt) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const write = (key: string, value: string, version: bigint | null, ttl: number | undefined) => {
    entries.set(key, { value, version, expiresAt: ttl === undefined ? null : now() + ttl * 1000 });
    writes += 1;
    if (writes % SWEEP_EVERY === 0) for (const known of [...entries.keys()]) live(known);
  };

  return {
    kind: 'memory',
    get: async (key) => {
      open();
      return live(key)?.value ?? null;
    },
    mget: async (keys) => {
      open();
      return keys.map((key) => live(key)?.value ?? null);
    },
    set: async (key, value, setOptions) => {
      open();
      write(key, value, null, ttlOf(setOptions));
    },
    setIfNewer: async (key, value, version, setOptions) => {
      open();
      checkVersion(version);
      const ttl = ttlOf(setOptions);
      const stored = live(key)?.version;
      if (stored != null && stored >= version) return false;
      write(key, value, version, ttl);
      return true;
    },
    del: async (keys) => {
      open();
      let removed = 0;
      for (const key of new Set(keyList(keys))) {
        if (live(key) !== undefined) {
          entries.delete(key);
          removed += 1;
        }
      }
      return removed;
    },
    ping: async () => {
      open();
    },
    close: async () => {
      closed = true;
      entries.clear();
    },
  };
}
