import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cache } from './cache.js';

/** One fresh cache per test, with the means to let time pass and to clean up after it. */
export interface CacheHarness {
  readonly cache: Cache;
  /** Lets `seconds` pass for TTLs: steps a fake clock, or sleeps against a real server. */
  elapse(seconds: number): Promise<void>;
  /** Removes what the test wrote and releases the cache (it may already be closed). */
  dispose(): Promise<void>;
}

/** The behaviour every {@link Cache} adapter must show; call it inside a test file per adapter. */
export function defineCacheContract(name: string, open: () => Promise<CacheHarness>): void {
  describe(`cache contract: ${name}`, () => {
    let harness: CacheHarness;
    let cache: Cache;

    beforeEach(async () => {
      harness = await open();
      cache = harness.cache;
    });

    afterEach(async () => {
      await harness.dispose();
    });

    it('gets null for a missing key and what was set otherwise', async () => {
      expect(await cache.get('missing')).toBeNull();
      await cache.set('k', 'v1');
      expect(await cache.get('k')).toBe('v1');
      await cache.set('k', 'v2');
      expect(await cache.get('k')).toBe('v2');
    });

    it('keeps the empty string apart from absence, and any text intact', async () => {
      await cache.set('empty', '');
      const text = JSON.stringify({ slots: ['08:00', '08:30'], centre: 'Évry – Contrôle' });
      await cache.set('json', text);
      expect(await cache.get('empty')).toBe('');
      expect(await cache.get('json')).toBe(text);
    });

    it('mgets in key order with null for absent keys', async () => {
      await cache.set('a', '1');
      await cache.set('c', '3');
      expect(await cache.mget(['c', 'b', 'a', 'a'])).toEqual(['3', null, '1', '1']);
      expect(await cache.mget([])).toEqual([]);
    });

    it('deletes one or many keys and counts those that existed', async () => {
      await cache.set('a', '1');
      await cache.set('b', '2');
      await cache.set('c', '3');
      expect(await cache.del('a')).toBe(1);
      expect(await cache.del(['b', 'c', 'missing', 'b'])).toBe(2);
      expect(await cache.del([])).toBe(0);
      expect(await cache.mget(['a', 'b', 'c'])).toEqual([null, null, null]);
    });

    it('writes setIfNewer only for a greater version', async () => {
      expect(await cache.setIfNewer('day', 'v5', 5n)).toBe(true);
      expect(await cache.setIfNewer('day', 'v4', 4n)).toBe(false);
      expect(await cache.setIfNewer('day', 'v5-again', 5n)).toBe(false);
      expect(await cache.get('day')).toBe('v5');
      expect(await cache.setIfNewer('day', 'v10', 10n)).toBe(true);
      expect(await cache.get('day')).toBe('v10');
      expect(await cache.setIfNewer('day', 'v9', 9n)).toBe(false);
      expect(await cache.get('day')).toBe('v10');
    });

    it('compares versions beyond 2^53 exactly', async () => {
      const top = 2n ** 63n - 1n;
      expect(await cache.setIfNewer('big', 'top-1', top - 1n)).toBe(true);
      expect(await cache.setIfNewer('big', 'top-2', top - 2n)).toBe(false);
      expect(await cache.setIfNewer('big', 'top', top)).toBe(true);
      expect(await cache.setIfNewer('big', 'beyond', 2n ** 64n)).toBe(true);
      expect(await cache.get('big')).toBe('beyond');
    });

    it('changes nothing when a projection batch is replayed', async () => {
      const batch = [
        { key: 'centre-1:2026-03-29', value: 'slots@1', version: 1n },
        { key: 'centre-1:2026-03-30', value: 'slots@2', version: 2n },
        { key: 'centre-1:2026-03-29', value: 'slots@3', version: 3n },
      ];
      const apply = async () => {
        const written: boolean[] = [];
        for (const { key, value, version } of batch)
          written.push(await cache.setIfNewer(key, value, version));
        return written;
      };
      expect(await apply()).toEqual([true, true, true]);
      expect(await apply()).toEqual([false, false, false]);
      expect(await cache.mget(['centre-1:2026-03-29', 'centre-1:2026-03-30'])).toEqual([
        'slots@3',
        'slots@2',
      ]);
    });

    it('keeps the greatest version under concurrent setIfNewer calls', async () => {
      const versions = [7, 3, 12, 1, 20, 15, 9, 18, 4, 11, 2, 19, 6, 14, 8, 17, 5, 16, 10, 13];
      const written = await Promise.all(versions.map((v) => cache.setIfNewer('race', `v${v}`, BigInt(v))));
      expect(written[versions.indexOf(20)]).toBe(true);
      expect(await cache.get('race')).toBe('v20');
      expect(await cache.setIfNewer('race', 'v19', 19n)).toBe(false);
    });

    it('forgets the version on set and on del', async () => {
      await cache.setIfNewer('k', 'versioned', 5n);
      await cache.set('k', 'plain');
      expect(await cache.setIfNewer('k', 'v1', 1n)).toBe(true);
      await cache.del('k');
      expect(await cache.setIfNewer('k', 'v0', 0n)).toBe(true);
      expect(await cache.get('k')).toBe('v0');
    });

    it('expires entries after their TTL, and a write without TTL makes an entry permanent', async () => {
      await cache.set('ttl', 'a', { ttlSeconds: 1 });
      await cache.set('made-permanent', 'b', { ttlSeconds: 1 });
      await cache.set('made-permanent', 'b2');
      await cache.setIfNewer('versioned-ttl', 'c', 1n, { ttlSeconds: 1 });
      await cache.set('permanent', 'd');
      await cache.set('longer', 'e', { ttlSeconds: 60 });
      expect(await cache.mget(['ttl', 'made-permanent', 'versioned-ttl', 'permanent', 'longer'])).toEqual([
        'a',
        'b2',
        'c',
        'd',
        'e',
      ]);

      await harness.elapse(1.2);

      expect(await cache.get('ttl')).toBeNull();
      expect(await cache.mget(['ttl', 'made-permanent', 'versioned-ttl', 'permanent', 'longer'])).toEqual([
        null,
        'b2',
        null,
        'd',
        'e',
      ]);
      expect(await cache.del(['ttl', 'versioned-ttl'])).toBe(0);
      // An expired entry's version is gone with it.
      expect(await cache.setIfNewer('versioned-ttl', 'c0', 0n)).toBe(true);
    });

    it('rejects a bad TTL or a negative version', async () => {
      await expect(cache.set('k', 'v', { ttlSeconds: 0 })).rejects.toThrow(RangeError);
      await expect(cache.set('k', 'v', { ttlSeconds: 1.5 })).rejects.toThrow(RangeError);
      await expect(cache.setIfNewer('k', 'v', 1n, { ttlSeconds: -1 })).rejects.toThrow(RangeError);
      await expect(cache.setIfNewer('k', 'v', -1n)).rejects.toThrow(RangeError);
      expect(await cache.get('k')).toBeNull();
    });

    it('pings, and refuses work once closed', async () => {
      await expect(cache.ping()).resolves.toBeUndefined();
      await cache.close();
      await expect(cache.get('k')).rejects.toThrow();
      await cache.close();
    });
  });
}
