import { isValidLocalTime, MINUTES_PER_DAY, minutesOfTime } from './local-time.js';

/**
 * Half-open intervals `[from, to)` of minutes since local midnight (0..1440). The domain computes
 * with minutes because they make overlap and containment plain integer comparisons; events keep
 * `HH:MM`. `to` may be 1440 (end of the day) where an interval runs to midnight.
 */
export interface MinuteInterval {
  readonly from: number;
  readonly to: number;
}

/** Problems found in a list of `HH:MM` intervals, or `undefined` when the list is well formed. */
export function dayIntervalsProblem(
  intervals: readonly { readonly from: string; readonly to: string }[],
): string | undefined {
  let previousEnd = -1;
  for (const [index, interval] of intervals.entries()) {
    if (!isValidLocalTime(interval.from) || !isValidLocalTime(interval.to)) {
      return `interval ${index}: times must be HH:MM`;
    }
    const from = minutesOfTime(interval.from);
    const to = minutesOfTime(interval.to);
    if (to <= from) return `interval ${index}: ${interval.to} is not after ${interval.from}`;
    // Touching intervals (12:00–12:00) are refused too: they are one interval written twice.
    if (from <= previousEnd) return `interval ${index}: overlaps, touches or precedes the previous one`;
    previousEnd = to;
  }
  return undefined;
}

/** `HH:MM` intervals as minute intervals (assumes `dayIntervalsProblem` found nothing). */
export function toMinuteIntervals(
  intervals: readonly { readonly from: string; readonly to: string }[],
): MinuteInterval[] {
  return intervals.map((interval) => ({
    from: minutesOfTime(interval.from),
    to: minutesOfTime(interval.to),
  }));
}

export function overlaps(a: MinuteInterval, b: MinuteInterval): boolean {
  return a.from < b.to && b.from < a.to;
}

/** True when `inner` lies entirely inside one interval of `outer` (so never across a gap such as lunch). */
export function containedInOne(outer: readonly MinuteInterval[], inner: MinuteInterval): boolean {
  return outer.some((interval) => interval.from <= inner.from && inner.to <= interval.to);
}

/** `intervals` minus every interval of `removed`; sorted input gives sorted output. */
export function subtractIntervals(
  intervals: readonly MinuteInterval[],
  removed: readonly MinuteInterval[],
): MinuteInterval[] {
  let pieces: MinuteInterval[] = [...intervals];
  for (const cut of removed) {
    const next: MinuteInterval[] = [];
    for (const piece of pieces) {
      if (!overlaps(piece, cut)) {
        next.push(piece);
        continue;
      }
      if (piece.from < cut.from) next.push({ from: piece.from, to: cut.from });
      if (cut.to < piece.to) next.push({ from: cut.to, to: piece.to });
    }
    pieces = next;
  }
  return pieces;
}

/** The intersection of two sorted, non-overlapping interval lists. */
export function intersectIntervals(
  a: readonly MinuteInterval[],
  b: readonly MinuteInterval[],
): MinuteInterval[] {
  const result: MinuteInterval[] = [];
  for (const x of a) {
    for (const y of b) {
      const from = Math.max(x.from, y.from);
      const to = Math.min(x.to, y.to);
      if (from < to) result.push({ from, to });
    }
  }
  return result.sort((p, q) => p.from - q.from);
}

export function totalMinutes(intervals: readonly MinuteInterval[]): number {
  return intervals.reduce((sum, interval) => sum + (interval.to - interval.from), 0);
}

/**
 * The part of a local period `[from, to)` (`YYYY-MM-DDTHH:MM` both) that falls on `date`, as a
 * minute interval (`to` = 1440 when the period runs past midnight), or `undefined` if none does.
 */
export function periodOnDay(
  period: { readonly from: string; readonly to: string },
  date: string,
): MinuteInterval | undefined {
  const fromDate = period.from.slice(0, 10);
  const toDate = period.to.slice(0, 10);
  if (fromDate > date || toDate < date) return undefined;
  const from = fromDate < date ? 0 : minutesOfTime(period.from.slice(11));
  const to = toDate > date ? MINUTES_PER_DAY : minutesOfTime(period.to.slice(11));
  return from < to ? { from, to } : undefined;
}
