import { createMemoryCache, type SqlExecutor } from '@pti/platform';
import { DEFAULT_DURATION_MATRIX } from '@pti/write-side/domain';
import { describe, expect, it, vi } from 'vitest';
import type { GenerationRecord } from '../runtime/registry.js';
import { type CachedFirstDays, firstKey } from './availability-projector.js';
import { bookableNow, bookableTimesNow, firstBookableNow, firstFreeSlots } from './availability-queries.js';
import { profileClassId } from './profile-classes.js';

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

  it.each([...cases, day('2026-03-30', { starts: [] }), day('2026-03-30', { starts: ['07:30*', '09:00'] })])(
    'firstBookableNow is the first of bookableNow on $day (notice $minimumNoticeMinutes min, active $active)',
    (stored) => {
      expect(firstBookableNow(stored, now)).toEqual(bookableNow(stored, now)[0]);
    },
  );

  // Around the cut: now exactly on a minute, with seconds, and a notice ending at a start.
  const instants = [
    new Date('2026-03-30T06:15:00Z'), // 08:15 Paris: with 2 h notice, 10:15 exactly
    new Date('2026-03-30T06:15:00.001Z'),
    new Date('2026-03-30T11:29:59Z'), // notice ends 15:29:59: 13:30 gone, 17:45 left
    new Date('2026-03-30T21:59:30Z'), // 23:59:30: the notice ends after the last minute of a day
    new Date('2026-03-28T22:30:00Z'), // night before the DST change day
  ];
  const days = ['2026-03-29', '2026-03-30', '2026-03-31', '2026-04-01'].flatMap((date) => [
    day(date),
    day(date, { starts: ['00:00', '01:15', '10:15', '10:16', '15:30*', '22:30'] }),
  ]);
  it.each(instants.flatMap((at) => days.map((stored) => ({ at, stored }))))(
    'agrees with bookableNow at $at on $stored.day',
    ({ at, stored }) => {
      expect(bookableTimesNow(stored, at)).toEqual(bookableNow(stored, at).map((start) => start.start));
      expect(firstBookableNow(stored, at)).toEqual(bookableNow(stored, at)[0]);
    },
  );

  it('keeps the cut of the notice: a morning start within two hours is not offered', () => {
    expect(bookableTimesNow(day('2026-03-28'), now)).toEqual(['13:30', '17:45']);
    expect(bookableTimesNow(day('2026-03-30'), now)).toEqual(['08:00', '08:15', '09:00', '13:30', '17:45']);
  });
});

describe('firstFreeSlots with firstDaysMemoMs', () => {
  const profile = { controlType: 'CTP', category: 'VP', fuel: 'Essence' } as const;
  const classId = profileClassId(profile, DEFAULT_DURATION_MATRIX) ?? '';
  const now = new Date('2026-03-30T06:00:00Z'); // 08:00 in Paris
  const first = (start: string): string =>
    JSON.stringify({
      timeZone: 'Europe/Paris',
      minimumNoticeMinutes: 60,
      horizonDays: 60,
      durationMinutes: 45,
      days: [{ day: '2026-03-31', starts: [start] }],
    } satisfies CachedFirstDays);
  // PostgreSQL is only asked when Redis lacks a centre: here it never should be.
  const db = {
    query: async () => {
      throw new Error('PostgreSQL asked');
    },
  } as unknown as SqlExecutor;
  const live = { get: async () => ({ keyPrefix: 'g1:' }) as GenerationRecord };

  it('reuses a read first-days value while fresh, then reads Redis again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
    try {
      const cache = createMemoryCache();
      await cache.set(`g1:${firstKey('c1', classId)}`, first('09:00'));
      const deps = { db, cache, live, firstDaysMemoMs: 1_000 };
      const slot = async () =>
        (await firstFreeSlots(deps, { centreIds: ['c1'], profile, now })).get('c1')?.start.start;
      expect(await slot()).toBe('09:00');
      await cache.set(`g1:${firstKey('c1', classId)}`, first('10:00'));
      expect(await slot()).toBe('09:00');
      vi.setSystemTime(now.getTime() + 1_000);
      expect(await slot()).toBe('10:00');
      // Without the memo every call reads Redis.
      await cache.set(`g1:${firstKey('c1', classId)}`, first('11:00'));
      expect(
        (await firstFreeSlots({ db, cache, live }, { centreIds: ['c1'], profile, now })).get('c1')?.start
          .start,
      ).toBe('11:00');
    } finally {
      vi.useRealTimers();
    }
  });
});
