import { describe, expect, it } from 'vitest';
import { API_HELMET_OPTIONS } from '../hardening/hardening.js';
import { securityHeadersOf } from '../hardening/security-headers.js';
import { answerCache, type CachedAnswer, cachedAnswer, matchesEtag } from './answer-cache.js';

describe('answerCache', () => {
  const setUp = (ttlMs: number) => {
    let now = 1_000;
    let computed = 0;
    const cache = answerCache<CachedAnswer | null>({ ttlMs, maxEntries: 2, clock: () => now });
    const compute = (body: string | null) => async () => {
      computed++;
      return body === null ? null : cachedAnswer(body);
    };
    return {
      cache,
      compute,
      computed: () => computed,
      advance: (ms: number) => {
        now += ms;
      },
    };
  };

  it('serves a computed answer until its time is up, then computes again', async () => {
    const { cache, compute, computed, advance } = setUp(1_000);
    expect(cache.fresh('a')).toBeUndefined();
    const first = await cache.load('a', compute('{"n":1}'));
    expect(first?.body.toString()).toBe('{"n":1}');
    advance(999);
    expect(cache.fresh('a')).toBe(first);
    advance(1);
    expect(cache.fresh('a')).toBeUndefined();
    const second = await cache.load('a', compute('{"n":2}'));
    expect(second?.body.toString()).toBe('{"n":2}');
    expect(cache.fresh('a')).toBe(second);
    expect(computed()).toBe(2);
  });

  it('shares one computation between concurrent misses of a key', async () => {
    const { cache, compute, computed } = setUp(1_000);
    const [a, b] = await Promise.all([cache.load('a', compute('1')), cache.load('a', compute('2'))]);
    expect(a).toBe(b);
    expect(computed()).toBe(1);
  });

  it('keeps neither null answers nor failures', async () => {
    const { cache, compute } = setUp(1_000);
    expect(await cache.load('gone', compute(null))).toBeNull();
    expect(cache.fresh('gone')).toBeUndefined();
    await expect(
      cache.load('broken', async () => {
        throw new Error('redis down');
      }),
    ).rejects.toThrow('redis down');
    expect(await cache.load('broken', compute('ok'))).not.toBeNull();
  });

  it('drops the oldest entry past its size', async () => {
    const { cache, compute } = setUp(1_000);
    await cache.load('a', compute('a'));
    await cache.load('b', compute('b'));
    await cache.load('c', compute('c'));
    expect(cache.fresh('a')).toBeUndefined();
    expect(cache.fresh('b')).toBeDefined();
    expect(cache.fresh('c')).toBeDefined();
  });

  it('computes every time with a zero time to live', async () => {
    const { cache, compute, computed } = setUp(0);
    await cache.load('a', compute('a'));
    expect(cache.fresh('a')).toBeUndefined();
    await cache.load('a', compute('a'));
    expect(computed()).toBe(2);
  });
});

describe('cachedAnswer and matchesEtag', () => {
  it('give equal bodies one strong validator and different bodies another', () => {
    const a = cachedAnswer('{"é":1}');
    expect(a.body).toEqual(Buffer.from('{"é":1}', 'utf8'));
    expect(a.etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(cachedAnswer('{"é":1}').etag).toBe(a.etag);
    expect(cachedAnswer('{"é":2}').etag).not.toBe(a.etag);
  });

  it('match If-None-Match lists, weak tags and *', () => {
    const etag = '"abc"';
    expect(matchesEtag(undefined, etag)).toBe(false);
    expect(matchesEtag('"abc"', etag)).toBe(true);
    expect(matchesEtag('"x", W/"abc"', etag)).toBe(true);
    expect(matchesEtag('*', etag)).toBe(true);
    expect(matchesEtag('"abcd"', etag)).toBe(false);
  });
});

describe('securityHeadersOf', () => {
  it("records helmet's headers for the API options once", () => {
    const headers = securityHeadersOf(API_HELMET_OPTIONS);
    expect(headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
    );
    expect(headers).toMatchObject({
      'cross-origin-resource-policy': 'same-site',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
    });
    expect(headers['x-powered-by']).toBeUndefined();
    expect(Object.isFrozen(headers)).toBe(true);
  });
});
