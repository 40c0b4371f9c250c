import { describe, expect, it } from 'vitest';
import { laneLayout } from './timeline.js';

const entry = (reservationId: string, start: string, end: string) => ({ reservationId, start, end });

describe('laneLayout', () => {
  it('keeps entries that do not overlap on one full-height row', () => {
    const layout = laneLayout([entry('a', '09:00', '09:45'), entry('b', '09:45', '10:30')]);
    expect(Object.fromEntries(layout)).toEqual({
      a: { index: 0, count: 1 },
      b: { index: 0, count: 1 },
    });
  });

  it('stacks an overbooked reservation under the one it overlaps, and reuses freed rows', () => {
    const layout = laneLayout([
      entry('late', '10:30', '11:15'),
      entry('first', '09:00', '09:45'),
      entry('overbooked', '09:15', '10:00'),
      entry('third', '09:45', '10:15'),
    ]);
    expect(Object.fromEntries(layout)).toEqual({
      first: { index: 0, count: 2 },
      overbooked: { index: 1, count: 2 },
      third: { index: 0, count: 2 },
      late: { index: 0, count: 1 },
    });
  });
});
