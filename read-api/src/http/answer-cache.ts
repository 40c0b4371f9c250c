import { createHash } from 'node:crypto';

/**
 * A short-lived in-process cache of serialized answers (a "micro-cache", as an edge proxy keeps
 * for a second): the same hot query asked a thousand times a second is read and serialized once,
 * the other requests send the stored bytes. Bounded staleness, no invalidation: an entry is
 * served for at most `ttlMs` after it was computed, which is within what the answer's own
 * `Cache-Control: max-age` already allows browsers and the edge to keep.
 *
 * Concurrent misses of one key share one computation (no stampede on the read model when an
 * entry expires under load); a failed computation is not kept.
 */
export interface CachedAnswer {
  /** The UTF-8 body, sent as is. */
  readonly body: Buffer;
  /** A strong validator of `body` (quoted), for `ETag` / `If-None-Match`. */
  readonly etag: string;
}

export interface AnswerCache<A extends CachedAnswer | null> {
  /** The stored answer of `key` while fresh. */
  fresh(key: string): A | undefined;
  /**
   * The answer of `key` computed by `compute`, or the computation already running for it; kept
   * when it is not `null`.
   */
  load(key: string, compute: () => Promise<A>): Promise<A>;
}

interface Entry<A> {
  readonly until: number;
  readonly answer: A;
}

/** Builds an answer from a body string: bytes and their validator. */
export function cachedAnswer(body: string): CachedAnswer {
  const bytes = Buffer.from(body, 'utf8');
  return { body: bytes, etag: `"${createHash('sha1').update(bytes).digest('base64url').slice(0, 22)}"` };
}

export function answerCache<A extends CachedAnswer | null>(options: {
  /** How long an answer is served after it was computed; 0 computes every time. */
  readonly ttlMs: number;
  /** The most entries kept; the oldest go first. */
  readonly maxEntries?: number;
  readonly clock?: () => number;
}): AnswerCache<A> {
  const { ttlMs } = options;
  const maxEntries = options.maxEntries ?? 10_000;
  const clock = options.clock ?? Date.now;
  const entries = new Map<string, Entry<A>>();
  const running = new Map<string, Promise<A>>();
  return {
    fresh(key) {
      const hit = entries.get(key);
      return hit !== undefined && clock() < hit.until ? hit.answer : undefined;
    },
    load(key, compute) {
      if (ttlMs <= 0) return compute();
      const pending = running.get(key);
      if (pending !== undefined) return pending;
      const started = clock();
      const work = compute().then(
        (answer) => {
          running.delete(key);
          entries.delete(key);
          if (answer !== null) {
            // Insertion order is age order: the first key is the oldest.
            if (entries.size >= maxEntries) {
              const oldest = entries.keys().next();
              if (oldest.done !== true) entries.delete(oldest.value);
            }
            entries.set(key, { until: started + ttlMs, answer });
          }
          return answer;
        },
        (error: unknown) => {
          running.delete(key);
          throw error;
        },
      );
      running.set(key, work);
      return work;
    },
  };
}

/**
 * Whether an `If-None-Match` header matches `etag` (weak comparison, RFC 9110 §13.1.2: `W/`
 * prefixes ignored; `*` matches any current representation).
 */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch === etag) return true;
  for (const part of ifNoneMatch.split(',')) {
    const tag = part.trim();
    if (tag === '*' || tag === etag || (tag.startsWith('W/') && tag.slice(2) === etag)) return true;
  }
  return false;
}
