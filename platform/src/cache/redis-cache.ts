import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { type Cache, checkVersion, keyList, ttlOf } from './cache.js';

/**
 * Redis adapter. Each entry is a hash `{ v: value, n: version }` under `<keyPrefix><key>`, so a
 * value and its version live and expire together. ioredis adds the prefix to every key, scripts
 * included; give each deployment (or blue/green read-model generation) its own prefix.
 */
export interface RedisCacheOptions {
  /** Prepended to every key; defaults to `pti:`. */
  readonly keyPrefix?: string;
  /**
   * Connection errors (ioredis keeps reconnecting meanwhile). Without a listener ioredis prints
   * them to stderr.
   */
  readonly onError?: (error: Error) => void;
}

const VALUE = 'v';
const VERSION = 'n';

/**
 * KEYS[1] entry; ARGV value, version (decimal, no leading zeros), ttl seconds or ''. Versions are
 * compared as decimal strings (longer is larger, then lexically): Lua numbers are doubles and would
 * round versions above 2^53.
 */
const SET_IF_NEWER = `
local stored = redis.call('HGET', KEYS[1], '${VERSION}')
local version = ARGV[2]
if stored and (#stored > #version or (#stored == #version and stored >= version)) then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], '${VALUE}', ARGV[1], '${VERSION}', version)
if ARGV[3] ~= '' then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
return 1
`;
const SET_IF_NEWER_SHA = createHash('sha1').update(SET_IF_NEWER).digest('hex');

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

export function createRedisCache(url: string, options: RedisCacheOptions = {}): Cache {
  // Auto-pipelining: commands issued in the same tick go out in one write (a projection batch
  // flushes thousands of setIfNewer at once; one socket write each cost more than Redis itself).
  const redis = new Redis(url, { keyPrefix: options.keyPrefix ?? 'pti:', enableAutoPipelining: true });
  if (options.onError !== undefined) redis.on('error', options.onError);

  // EVALSHA sends only the digest; the first call on a server without the script loads it.
  const setIfNewerScript = async (key: string, args: readonly string[]): Promise<unknown> => {
    try {
      return await redis.evalsha(SET_IF_NEWER_SHA, 1, key, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return redis.eval(SET_IF_NEWER, 1, key, ...args);
    }
  };

  return {
    kind: 'redis',
    get: (key) => redis.hget(key, VALUE),
    mget: async (keys) => {
      if (keys.length === 0) return [];
      const results = await redis.pipeline(keys.map((key) => ['hget', key, VALUE])).exec();
      return (results ?? []).map(([error, value]) => {
        if (error !== null) throw error;
        return typeof value === 'string' ? value : null;
      });
    },
    set: async (key, value, setOptions) => {
      const ttl = ttlOf(setOptions);
      const write = redis.multi().del(key).hset(key, VALUE, value);
      if (ttl !== undefined) write.expire(key, ttl);
      const results = await write.exec();
      const failed = results?.find(([error]) => error !== null);
      if (failed?.[0]) throw failed[0];
    },
    setIfNewer: async (key, value, version, setOptions) => {
      checkVersion(version);
      const ttl = ttlOf(setOptions);
      const written = await setIfNewerScript(key, [
        value,
        version.toString(),
        ttl === undefined ? '' : String(ttl),
      ]);
      return written === 1;
    },
    del: async (keys) => {
      const list = keyList(keys);
      return list.length === 0 ? 0 : redis.del(...list);
    },
    ping: async () => {
      await redis.ping();
    },
    close: async () => {
      if (redis.status === 'end') return;
      try {
        await redis.quit();
      } catch {
        // Already closing or never connected: drop the socket instead.
        redis.disconnect();
      }
    },
  };
}
