import {
  comparePositions,
  type EventFilter,
  type Ledger,
  type Position,
  type RecordedEvent,
  type Subscription,
} from '@pti/platform';
import { matchesFilter } from './catch-up-many.js';

/**
 * One live read of the ledger shared by every lane of a runner. Seven lanes following the ledger
 * each with its own subscription read (and parse) every new event seven times and wake seven
 * times per append; the feed reads each event once, keeps the recent ones in memory, and every
 * lane takes its own filtered slice of them. The records are the same objects for every lane, so
 * `decodeRecord` (memoised per record) also decodes each event once.
 *
 * The feed holds every event in (`base`, `tail`]; a lane whose position is before `base` (it went
 * live before the feed started, or fell further behind than the feed keeps) reads the ledger
 * itself until it reaches the feed.
 */
export interface LiveFeed {
  /** Registers a lane going live at `position`; starts the feed if it is not running. */
  join(position: Position): LiveFeedMember;
  stop(): Promise<void>;
}

export interface LiveFeedMember {
  /**
   * The lane's next records: up to `limit` matching `filter` after `position`. `next` is the
   * position scanned up to (the last record returned, or the feed's tail when every record up to
   * it was scanned); `behind` says the feed no longer holds `position` (read the ledger instead).
   */
  take(
    position: Position,
    filter: EventFilter,
    limit: number,
  ): { readonly events: readonly RecordedEvent[]; readonly next: Position; readonly behind: boolean };
  /** Where the lane is now (records before every member's position are dropped). */
  report(position: Position): void;
  /**
   * Resolves after `timeoutMs`, when `interrupt` is called, or (unless `onRecords` is false) when
   * new records arrive.
   */
  wait(timeoutMs: number, onRecords?: boolean): Promise<void>;
  interrupt(): void;
  leave(): void;
}

interface Member {
  position: Position;
  wake: (() => void) | undefined;
  onRecords: boolean;
  /** `version` at the member's last `take`. */
  seen: number;
}

export interface LiveFeedOptions {
  /** Events per ledger read; default 5,000. */
  readonly readSize?: number;
  /** Records kept at most (a lane further behind reads the ledger itself); default 200,000. */
  readonly capacity?: number;
  readonly onStoreError?: (error: unknown, attempt: number) => void;
}

export function createLiveFeed(ledger: Ledger, options: LiveFeedOptions = {}): LiveFeed {
  const capacity = options.capacity ?? 200_000;
  let records: RecordedEvent[] = [];
  /** Index of the first kept record in `records` (dropped ones are spliced out in chunks). */
  let first = 0;
  let base: Position | undefined;
  let tail: Position | undefined;
  let subscription: Subscription | undefined;
  const members = new Set<Member>();
  /** Bumped whenever records or the tail move: a member that took before a bump must look again. */
  let version = 0;

  const wakeAll = () => {
    version += 1;
    for (const member of members) if (member.onRecords) member.wake?.();
  };

  const trim = () => {
    let floor: Position | undefined;
    for (const member of members)
      if (floor === undefined || comparePositions(member.position, floor) < 0) floor = member.position;
    let drop = first;
    // Keep what the slowest member still needs, and at most `capacity` records.
    while (
      drop < records.length &&
      (records.length - drop > capacity ||
        (floor !== undefined && comparePositions((records[drop] as RecordedEvent).position, floor) <= 0))
    )
      drop += 1;
    if (drop > first) base = (records[drop - 1] as RecordedEvent).position;
    first = drop;
    if (first > 4_096 && first * 2 > records.length) {
      records = records.slice(first);
      first = 0;
    }
  };

  const start = (after: Position) => {
    records = [];
    first = 0;
    base = after;
    tail = after;
    subscription = ledger.subscribe(
      { after, batchSize: options.readSize ?? 5_000 },
      {
        handle: async (events) => {
          for (const event of events) records.push(event);
          const last = events.at(-1);
          if (last !== undefined) tail = last.position;
          trim();
          wakeAll();
        },
        caughtUp: async (position) => {
          if (tail === undefined || comparePositions(position, tail) > 0) tail = position;
          wakeAll();
        },
        storeError: options.onStoreError,
      },
    );
  };

  /** First index in `records` (from `first`) whose position is after `position`. */
  const after = (position: Position) => {
    let lo = first;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePositions((records[mid] as RecordedEvent).position, position) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  return {
    join(position) {
      if (subscription === undefined) start(position);
      const member: Member = { position, wake: undefined, onRecords: true, seen: -1 };
      members.add(member);
      return {
        take(from, filter, limit) {
          member.seen = version;
          if (base === undefined || tail === undefined || comparePositions(from, base) < 0)
            return { events: [], next: from, behind: true };
          const events: RecordedEvent[] = [];
          let index = after(from);
          for (; index < records.length && events.length < limit; index += 1) {
            const record = records[index] as RecordedEvent;
            if (matchesFilter(record, filter)) events.push(record);
          }
          const scannedAll = index >= records.length;
          const next =
            scannedAll && comparePositions(tail, from) > 0
              ? tail
              : scannedAll
                ? from
                : (records[index - 1] as RecordedEvent).position;
          return { events, next, behind: false };
        },
        report(at) {
          member.position = at;
        },
        wait(timeoutMs, onRecords = true) {
          member.onRecords = onRecords;
          // Records came in since the member last looked: no wait.
          if (onRecords && member.seen !== version) return Promise.resolve();
          return new Promise<void>((resolve) => {
            const timer = setTimeout(done, timeoutMs);
            function done() {
              clearTimeout(timer);
              member.wake = undefined;
              resolve();
            }
            member.wake = done;
          });
        },
        interrupt() {
          member.wake?.();
        },
        leave() {
          member.wake?.();
          members.delete(member);
        },
      };
    },
    async stop() {
      const running = subscription;
      subscription = undefined;
      records = [];
      first = 0;
      base = undefined;
      tail = undefined;
      for (const member of members) member.wake?.();
      await running?.stop();
    },
  };
}
