import { describe, expect, it } from 'vitest';
import { bookableNow, bookableTimesNow } from './availability-queries.js';

/** The read API's fast path (local times, decoding only days the notice reaches) agrees with the full decode. */
describe('bookableTimesNow', () => {
  const day = (date: string, overrides: Partial<Parameters<typeof bookableNow>[0]> = {}) => ({
    day: date,
    timeZone: 'Europe/Paris',
    minimumNoticeMinutes: 120,
    horizonDays: 60,
    active: true,
    durationMinutes: 45,
    starts: ['08:00', '08:15', '09:00*', '13:30', '17:45'],
    ...overrides,
  });
  const now = new Date('2026-03-28T07:40:00Z'); // 08:40 in Paris, the eve of the spring DST change
  const cases = [
    day('2026-03-27'), // past
    day('2026-03-28'), // today: the notice cuts the morning
    day('2026-03-28', { minimumNoticeMinutes: 24 * 60 }), // the notice covers the whole day
    day('2026-03-29', { minimumNoticeMinutes: 24 * 60 }), // the notice reaches into tomorrow (DST day)
    day('2026-03-30'), // after the notice: every start
    day('2026-06-30'), // beyond the horizon
    day('2026-03-30', { active: false }),
  ];

  it.each(cases)(
    'agrees with bookableNow on $day (notice $minimumNoticeMinutes min, active $active)',
    (stored) => {
      expect(bookableTimesNow(stored, now)).toEqual(bookableNow(stored, now).map((start) => start.start));
    },
  );

  it('keeps the cut of the notice: a morning start within two hours is not offered', () => {
    expect(bookableTimesNow(day('2026-03-28'), now)).toEqual(['13:30', '17:45']);
    expect(bookableTimesNow(day('2026-03-30'), now)).toEqual(['08:00', '08:15', '09:00', '13:30', '17:45']);
  });
});
