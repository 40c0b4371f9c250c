/**
 * The sagas' only source of time: timers fall due, backoffs and payment timeouts are computed
 * against it, never against `Date.now()`, so tests (and replays) move time by hand.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to. */
export interface ManualClock extends Clock {
  set(instant: Date | string): void;
  advance(milliseconds: number): void;
}

export function manualClock(start: Date | string): ManualClock {
  let current = new Date(start).getTime();
  if (Number.isNaN(current)) throw new RangeError(`invalid start instant ${String(start)}`);
  return {
    now: () => new Date(current),
    set(instant) {
      const next = new Date(instant).getTime();
      if (Number.isNaN(next)) throw new RangeError(`invalid instant ${String(instant)}`);
      current = next;
    },
    advance(milliseconds) {
      current += milliseconds;
    },
  };
}
