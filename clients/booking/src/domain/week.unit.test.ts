import { describe, expect, it } from 'vitest';
import { addDays, buildWeek, laterDate, loadLevel, mondayOf } from './week.js';

describe('the week calendar', () => {
  it('starts weeks on Monday', () => {
    expect(mondayOf('2026-11-24')).toBe('2026-11-23'); // Tuesday
    expect(mondayOf('2026-11-29')).toBe('2026-11-23'); // Sunday
    expect(mondayOf('2026-11-23')).toBe('2026-11-23');
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04');
    expect(laterDate('2026-11-23', '2026-11-24')).toBe('2026-11-24');
  });

  it('colours each day by how many starts remain relative to the freest day', () => {
    expect(loadLevel(0, 30, true)).toBe('full');
    expect(loadLevel(5, 30, true)).toBe('busy');
    expect(loadLevel(15, 30, true)).toBe('moderate');
    expect(loadLevel(30, 30, true)).toBe('free');
    expect(loadLevel(0, 30, false)).toBe('closed');
  });

  it('builds seven days, past days and closed days without starts', () => {
    const week = buildWeek(
      '2026-11-23',
      [
        { date: '2026-11-24', starts: ['08:00', '08:15', '08:30'] },
        { date: '2026-11-25', starts: ['08:00'] },
        { date: '2026-11-26', starts: [] },
      ],
      '2026-11-24',
      (date) => date !== '2026-11-29',
    );
    expect(week.map((day) => [day.date, day.level])).toEqual([
      ['2026-11-23', 'closed'],
      ['2026-11-24', 'free'],
      ['2026-11-25', 'busy'],
      ['2026-11-26', 'full'],
      ['2026-11-27', 'full'],
      ['2026-11-28', 'full'],
      ['2026-11-29', 'closed'],
    ]);
    expect(week[0]?.past).toBe(true);
  });
});
