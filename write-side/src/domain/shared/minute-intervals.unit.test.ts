import { describe, expect, it } from 'vitest';
import {
  containedInOne,
  dayIntervalsProblem,
  intersectIntervals,
  overlaps,
  periodOnDay,
  subtractIntervals,
  toMinuteIntervals,
  totalMinutes,
} from './minute-intervals.js';

describe('minute intervals', () => {
  it('validates HH:MM interval lists', () => {
    expect(dayIntervalsProblem([])).toBeUndefined();
    expect(
      dayIntervalsProblem([
        { from: '08:00', to: '12:00' },
        { from: '13:30', to: '18:00' },
      ]),
    ).toBeUndefined();
    expect(dayIntervalsProblem([{ from: '08:00', to: '25:00' }])).toMatch(/HH:MM/);
    expect(dayIntervalsProblem([{ from: '12:00', to: '08:00' }])).toMatch(/not after/);
    expect(
      dayIntervalsProblem([
        { from: '08:00', to: '12:00' },
        { from: '12:00', to: '13:00' },
      ]),
    ).toMatch(/overlaps, touches/);
  });

  it('tests overlap and containment as half-open intervals', () => {
    expect(overlaps({ from: 480, to: 525 }, { from: 525, to: 570 })).toBe(false);
    expect(overlaps({ from: 480, to: 526 }, { from: 525, to: 570 })).toBe(true);
    const split = toMinuteIntervals([
      { from: '08:00', to: '12:00' },
      { from: '14:00', to: '18:00' },
    ]);
    expect(containedInOne(split, { from: 675, to: 720 })).toBe(true);
    expect(containedInOne(split, { from: 690, to: 870 })).toBe(false);
  });

  it('subtracts, intersects and sums', () => {
    const day = [
      { from: 480, to: 720 },
      { from: 840, to: 1080 },
    ];
    expect(subtractIntervals(day, [{ from: 540, to: 900 }])).toEqual([
      { from: 480, to: 540 },
      { from: 900, to: 1080 },
    ]);
    expect(intersectIntervals(day, [{ from: 700, to: 860 }])).toEqual([
      { from: 700, to: 720 },
      { from: 840, to: 860 },
    ]);
    expect(totalMinutes(day)).toBe(480);
  });

  it('clips a local period to one day', () => {
    const period = { from: '2026-06-15T16:00', to: '2026-06-17T09:30' };
    expect(periodOnDay(period, '2026-06-14')).toBeUndefined();
    expect(periodOnDay(period, '2026-06-15')).toEqual({ from: 960, to: 1440 });
    expect(periodOnDay(period, '2026-06-16')).toEqual({ from: 0, to: 1440 });
    expect(periodOnDay(period, '2026-06-17')).toEqual({ from: 0, to: 570 });
    expect(periodOnDay({ from: '2026-06-15T16:00', to: '2026-06-16T00:00' }, '2026-06-16')).toBeUndefined();
  });
});
