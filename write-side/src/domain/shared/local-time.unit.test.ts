import { describe, expect, it } from 'vitest';
import {
  addDaysToLocalDate,
  daysBetweenLocalDates,
  instantToLocal,
  isValidLocalDate,
  localDateTimeToInstant,
  localDayClock,
  minutesOfTime,
  timeOfMinutes,
  weekdayOfLocalDate,
} from './local-time.js';

const iso = (date: Date): string => date.toISOString();

describe('localDateTimeToInstant (Europe/Paris)', () => {
  it('uses +01:00 in winter and +02:00 in summer', () => {
    expect(iso(localDateTimeToInstant('2026-01-15', '08:00'))).toBe('2026-01-15T07:00:00.000Z');
    expect(iso(localDateTimeToInstant('2026-07-15', '08:00'))).toBe('2026-07-15T06:00:00.000Z');
  });

  describe('spring forward, Sunday 29 March 2026 (02:00 CET → 03:00 CEST)', () => {
    it('maps times before and after the gap with their own offsets', () => {
      expect(iso(localDateTimeToInstant('2026-03-29', '01:59'))).toBe('2026-03-29T00:59:00.000Z');
      expect(iso(localDateTimeToInstant('2026-03-29', '03:00'))).toBe('2026-03-29T01:00:00.000Z');
      expect(iso(localDateTimeToInstant('2026-03-29', '08:00'))).toBe('2026-03-29T06:00:00.000Z');
      expect(iso(localDateTimeToInstant('2026-03-29', '12:00'))).toBe('2026-03-29T10:00:00.000Z');
    });

    it('reads a non-existent time with the pre-change offset (02:30 → 03:30 CEST)', () => {
      const instant = localDateTimeToInstant('2026-03-29', '02:30');
      expect(iso(instant)).toBe('2026-03-29T01:30:00.000Z');
      expect(instantToLocal(instant).time).toBe('03:30');
      expect(iso(localDateTimeToInstant('2026-03-29', '02:00'))).toBe('2026-03-29T01:00:00.000Z');
    });

    it('the local day is 23 hours long', () => {
      const start = localDateTimeToInstant('2026-03-29', '00:00');
      const next = localDateTimeToInstant('2026-03-30', '00:00');
      expect(next.getTime() - start.getTime()).toBe(23 * 3_600_000);
    });
  });

  describe('fall back, Sunday 25 October 2026 (03:00 CEST → 02:00 CET)', () => {
    it('maps times before and after the overlap with their own offsets', () => {
      expect(iso(localDateTimeToInstant('2026-10-25', '01:59'))).toBe('2026-10-24T23:59:00.000Z');
      expect(iso(localDateTimeToInstant('2026-10-25', '03:00'))).toBe('2026-10-25T02:00:00.000Z');
      expect(iso(localDateTimeToInstant('2026-10-25', '08:00'))).toBe('2026-10-25T07:00:00.000Z');
      expect(iso(localDateTimeToInstant('2026-10-25', '12:00'))).toBe('2026-10-25T11:00:00.000Z');
    });

    it('picks the earlier (summer-time) instant of an ambiguous time', () => {
      expect(iso(localDateTimeToInstant('2026-10-25', '02:30'))).toBe('2026-10-25T00:30:00.000Z');
      // Both instants really read 02:30 locally.
      expect(instantToLocal(new Date('2026-10-25T00:30:00Z')).time).toBe('02:30');
      expect(instantToLocal(new Date('2026-10-25T01:30:00Z')).time).toBe('02:30');
    });

    it('the local day is 25 hours long', () => {
      const start = localDateTimeToInstant('2026-10-25', '00:00');
      const next = localDateTimeToInstant('2026-10-26', '00:00');
      expect(next.getTime() - start.getTime()).toBe(25 * 3_600_000);
    });
  });

  it('round-trips every quarter hour of both 2026 change days except the gap', () => {
    for (const date of ['2026-03-29', '2026-10-25']) {
      for (let minutes = 0; minutes < 1440; minutes += 15) {
        const time = timeOfMinutes(minutes);
        const inGap = date === '2026-03-29' && minutes >= 120 && minutes < 180;
        const local = instantToLocal(localDateTimeToInstant(date, time));
        if (inGap) {
          expect(local.time).toBe(timeOfMinutes(minutes + 60));
        } else {
          expect(local).toMatchObject({ date, time, minutes });
        }
      }
    }
  });

  it('works for another zone', () => {
    expect(iso(localDateTimeToInstant('2026-03-08', '03:30', 'America/New_York'))).toBe(
      '2026-03-08T07:30:00.000Z',
    );
    expect(iso(localDateTimeToInstant('2026-07-01', '09:00', 'Indian/Reunion'))).toBe(
      '2026-07-01T05:00:00.000Z',
    );
  });

  it('rejects malformed or impossible input', () => {
    expect(() => localDateTimeToInstant('2026-02-29', '08:00')).toThrow(RangeError);
    expect(() => localDateTimeToInstant('2026-03-29', '24:00')).toThrow(RangeError);
    expect(() => localDateTimeToInstant('2026-3-29', '08:00')).toThrow(RangeError);
  });
});

describe('instantToLocal', () => {
  it('gives date, time, ISO weekday and minutes', () => {
    expect(instantToLocal(new Date('2026-03-29T06:00:00Z'))).toEqual({
      date: '2026-03-29',
      time: '08:00',
      weekday: 7,
      minutes: 480,
    });
    // 23:30 UTC on Sunday is already Monday in Paris.
    expect(instantToLocal(new Date('2026-10-25T23:30:00Z'))).toEqual({
      date: '2026-10-26',
      time: '00:30',
      weekday: 1,
      minutes: 30,
    });
  });
});

describe('local date arithmetic', () => {
  it('adds days across month, year and DST boundaries', () => {
    expect(addDaysToLocalDate('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDaysToLocalDate('2026-03-29', 1)).toBe('2026-03-30');
    expect(addDaysToLocalDate('2026-10-25', 1)).toBe('2026-10-26');
    expect(addDaysToLocalDate('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDaysToLocalDate('2028-03-01', -1)).toBe('2028-02-29');
  });

  it('counts days between dates', () => {
    expect(daysBetweenLocalDates('2026-03-01', '2026-04-01')).toBe(31);
    expect(daysBetweenLocalDates('2026-10-26', '2026-10-24')).toBe(-2);
    expect(daysBetweenLocalDates('2026-01-01', '2027-01-01')).toBe(365);
  });

  it('gives ISO weekdays', () => {
    expect(weekdayOfLocalDate('2026-03-29')).toBe(7);
    expect(weekdayOfLocalDate('2026-03-30')).toBe(1);
    expect(weekdayOfLocalDate('2026-10-24')).toBe(6);
  });

  it('converts times and minutes', () => {
    expect(minutesOfTime('00:00')).toBe(0);
    expect(minutesOfTime('08:30')).toBe(510);
    expect(minutesOfTime('23:59')).toBe(1439);
    expect(timeOfMinutes(510)).toBe('08:30');
    expect(() => timeOfMinutes(1440)).toThrow(RangeError);
    expect(() => minutesOfTime('8:30')).toThrow(RangeError);
  });

  it('validates dates', () => {
    expect(isValidLocalDate('2024-02-29')).toBe(true);
    expect(isValidLocalDate('2025-02-29')).toBe(false);
    expect(isValidLocalDate('2025-04-31')).toBe(false);
  });
});

describe('localDayClock', () => {
  it('is arithmetic on a plain day and agrees with localDateTimeToInstant', () => {
    const clock = localDayClock('2026-06-16');
    expect(clock.constantOffset).toBe(true);
    expect(clock.instantOf(480)?.toISOString()).toBe('2026-06-16T06:00:00.000Z');
    expect(clock.boundaryInstantOf(1440).toISOString()).toBe('2026-06-16T22:00:00.000Z');
  });

  it('reports the minutes of the spring-forward gap as missing and ends intervals at the jump', () => {
    const clock = localDayClock('2026-03-29');
    expect(clock.constantOffset).toBe(false);
    expect(clock.instantOf(119)?.toISOString()).toBe('2026-03-29T00:59:00.000Z');
    expect(clock.instantOf(120)).toBeUndefined();
    expect(clock.instantOf(179)).toBeUndefined();
    expect(clock.instantOf(180)?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(clock.boundaryInstantOf(120).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(clock.boundaryInstantOf(1440).toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });

  it('gives every minute of the fall-back day, the repeated hour at its first occurrence', () => {
    const clock = localDayClock('2026-10-25');
    expect(clock.constantOffset).toBe(false);
    expect(clock.instantOf(150)?.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(clock.instantOf(180)?.toISOString()).toBe('2026-10-25T02:00:00.000Z');
  });
});
