import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { defineCacheContract } from './cache-contract.js';
import { createMemoryCache } from './memory-cache.js';
import { createRedisCache } from './redis-cache.js';

defineCacheContract('memory', async () => {
  let now = Date.UTC(2026, 2, 29, 1, 0, 0);
  const cache = createMemoryCache({ now: () => now });
  return {
    cache,
    elapse: async (seconds) => {
      now += seconds * 1000;
    },
    dispose: () => cache.close(),
  };
});

const redisUrl = process.env.REDIS_URL;
if (redisUrl === undefined || redisUrl === '') {
  console.info('[cache contract] REDIS_URL unset: Redis adapter skipped (memory only)');
} else {
  // Every key of this run lives under one prefix, each test under its own below it.
  const runPrefix = `pti-test:${randomBytes(6).toString('hex')}:`;
  const admin = new Redis(redisUrl);
  let tests = 0;

  const keysUnder = async (prefix: string): Promise<string[]> => {
    const found: string[] = [];
    for await (const batch of admin.scanStream({ match: `${prefix}*`, count: 10_000 })) {
      if (Array.isArray(batch)) found.push(...batch.filter((key): key is string => typeof key === 'string'));
    }
    return found;
  };
  const removeUnder = async (prefix: string) => {
    const keys = await keysUnder(prefix);
    if (keys.length > 0) await admin.del(...keys);
  };

  afterAll(async () => {
    await removeUnder(runPrefix);
    await admin.quit();
  });

  defineCacheContract('redis', async () => {
    tests += 1;
    const keyPrefix = `${runPrefix}${tests}:`;
    const cache = createRedisCache(redisUrl, { keyPrefix });
    return {
      cache,
      elapse: (seconds) => sleep(seconds * 1000),
      dispose: async () => {
        await cache.close();
        await removeUnder(keyPrefix);
      },
    };
  });

  describe('redis cache', () => {
    it('keeps caches with different prefixes apart and stores under the prefix', async () => {
      const blue = createRedisCache(redisUrl, { keyPrefix: `${runPrefix}blue:` });
      const green = createRedisCache(redisUrl, { keyPrefix: `${runPrefix}green:` });
      try {
        await blue.set('availability:c1', 'blue');
        expect(await blue.setIfNewer('availability:c2', 'blue', 3n)).toBe(true);
        expect(await green.mget(['availability:c1', 'availability:c2'])).toEqual([null, null]);
        expect(await green.setIfNewer('availability:c2', 'green', 1n)).toBe(true);
        expect(await blue.get('availability:c2')).toBe('blue');
        expect((await keysUnder(`${runPrefix}blue:`)).sort()).toEqual([
          `${runPrefix}blue:availability:c1`,
          `${runPrefix}blue:availability:c2`,
        ]);
      } finally {
        await blue.close();
        await green.close();
      }
    });

    it('reloads its script after SCRIPT FLUSH', async () => {
      const cache = createRedisCache(redisUrl, { keyPrefix: `${runPrefix}flush:` });
      try {
        expect(await cache.setIfNewer('k', 'v1', 1n)).toBe(true);
        await admin.script('FLUSH');
        expect(await cache.setIfNewer('k', 'v2', 2n)).toBe(true);
        expect(await cache.get('k')).toBe('v2');
      } finally {
        await cache.close();
      }
    });
  });
}
