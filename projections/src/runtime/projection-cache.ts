import type { Cache, Position } from '@pti/platform';
import { type ProjectionCache, positionVersion } from './projector.js';

/** A deleted key is written as this guarded tombstone so a replayed batch cannot bring it back. */
export const TOMBSTONE = '';
/**
 * How long a tombstone lives. It only has to outlast redeliveries of batches older than the one
 * that deleted the key (they happen within seconds of a failure, before the checkpoint passes).
 */
export const TOMBSTONE_TTL_SECONDS = 86_400;

export interface BufferedProjectionCache extends ProjectionCache {
  /** Writes the buffered entries with `setIfNewer(…, positionVersion(position, minor))`; empties the buffer. */
  flush(position: Position, minor?: bigint): Promise<number>;
  /** Forgets the buffered entries (the batch failed). */
  discard(): void;
}

/** Writes per flush in flight at once (ioredis pipelines concurrent commands on one connection). */
const FLUSH_CHUNK = 2_000;

/**
 * The cache a projector sees for one generation: keys prefixed with the generation's prefix, writes
 * buffered during `apply` and flushed position-guarded before the batch's transaction commits.
 */
export function bufferedProjectionCache(cache: Cache, keyPrefix: string): BufferedProjectionCache {
  let pending = new Map<string, { readonly value: string; readonly ttlSeconds: number | undefined }>();
  const read = (value: string | null) => (value === null || value === TOMBSTONE ? null : value);
  return {
    put: (key, value, options) => {
      pending.set(key, { value, ttlSeconds: options?.ttlSeconds });
    },
    remove: (key) => {
      pending.set(key, { value: TOMBSTONE, ttlSeconds: TOMBSTONE_TTL_SECONDS });
    },
    get: async (key) => read(await cache.get(keyPrefix + key)),
    mget: async (keys) => (await cache.mget(keys.map((key) => keyPrefix + key))).map(read),
    flush: async (position, minor = 0n) => {
      const entries = [...pending];
      pending = new Map();
      const version = positionVersion(position, minor);
      let written = 0;
      for (let at = 0; at < entries.length; at += FLUSH_CHUNK) {
        const results = await Promise.all(
          entries
            .slice(at, at + FLUSH_CHUNK)
            .map(([key, { value, ttlSeconds }]) =>
              cache.setIfNewer(
                keyPrefix + key,
                value,
                version,
                ttlSeconds === undefined ? undefined : { ttlSeconds: Math.max(1, Math.ceil(ttlSeconds)) },
              ),
            ),
        );
        written += results.filter(Boolean).length;
      }
      return written;
    },
    discard: () => {
      pending = new Map();
    },
  };
}

/** Reads a generation's keys outside a batch (the read side, tests). Tombstones read as null. */
export function readProjectionCache(cache: Cache, keyPrefix: string) {
  const read = (value: string | null) => (value === null || value === TOMBSTONE ? null : value);
  return {
    get: async (key: string) => read(await cache.get(keyPrefix + key)),
    mget: async (keys: readonly string[]) => (await cache.mget(keys.map((key) => keyPrefix + key))).map(read),
  };
}
