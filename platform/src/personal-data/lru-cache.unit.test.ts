import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache.js';

describe('LruCache', () => {
  it('evicts the least recently used entry beyond its size', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('forgets entries older than the time to live', () => {
    let now = 0;
    const cache = new LruCache<string, number>(10, 100, () => now);
    cache.set('a', 1);
    now = 99;
    expect(cache.get('a')).toBe(1);
    now = 100;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('moves a hit to the recent end only once it is in the older half, so a recent entry survives half the size', () => {
    const cache = new LruCache<string, number>(4);
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) cache.set(key, i);
    // 'd' is among the newest half: a hit leaves the order as it is; 'a' is not: it moves.
    expect(cache.get('d')).toBe(3);
    expect(cache.get('a')).toBe(0);
    cache.set('e', 4);
    expect(cache.get('b')).toBeUndefined();
    cache.set('f', 5);
    expect(cache.get('c')).toBeUndefined();
    // 'd' was hit but not moved: it goes next, after two insertions (half the size)...
    cache.set('g', 6);
    expect(cache.get('d')).toBeUndefined();
    // ...while 'a', moved to the recent end, is still there.
    expect(cache.get('a')).toBe(0);
    expect(cache.size).toBe(4);
  });

  it('rejects nonsense bounds', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
    expect(() => new LruCache(1, 0)).toThrow(RangeError);
  });
});
