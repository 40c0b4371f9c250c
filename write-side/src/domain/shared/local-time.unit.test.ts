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

  it('agrees with Intl at every minute around each 2026 transition and at random instants, in zones with odd offsets', () => {
    // The zone offset is memoised per quarter hour; Intl, asked directly, is the reference.
    const reference = (ms: number, timeZone: string): string => {
      const parts = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      }).formatToParts(new Date(ms));
      const field = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
      return `${field('year')}-${field('month')}-${field('day')} ${field('hour')}:${field('minute')}`;
    };
    const zones = [
      'Europe/Paris',
      'America/New_York',
      'Australia/Lord_Howe', // 30-minute DST
      'Asia/Kathmandu', // +05:45
      'America/St_Johns', // -03:30 / -02:30
      'Pacific/Chatham', // +12:45 / +13:45
      'America/Cayenne',
      'Indian/Reunion',
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const yearStart = Date.UTC(2026, 0, 1);
    const yearEnd = Date.UTC(2027, 0, 1);
    let compared = 0;
    let transitions = 0;
    for (const zone of zones) {
      const instants: number[] = [];
      for (let i = 0; i < 300; i++) instants.push(Math.floor(yearStart + random() * (yearEnd - yearStart)));
      // Every minute (and a few seconds either side) of the 3 hours around each transition: found
      // by the offset changing between two days.
      const offset = (ms: number) => {
        const local = reference(ms, zone);
        return Date.parse(`${local.replace(' ', 'T')}:00Z`) - (ms - (ms % 60_000));
      };
      for (let day = yearStart; day < yearEnd; day += 86_400_000) {
        if (offset(day) === offset(day + 86_400_000)) continue;
        let low = day;
        let high = day + 86_400_000;
        while (high - low > 60_000) {
          const mid = low + Math.floor((high - low) / 120_000) * 60_000;
          if (offset(mid) === offset(day)) low = mid;
          else high = mid;
        }
        transitions += 1;
        for (let ms = high - 90 * 60_000; ms <= high + 90 * 60_000; ms += 60_000) {
          instants.push(ms, ms - 1_000, ms + 59_999);
        }
      }
      for (const ms of instants) {
        const local = instantToLocal(new Date(ms), zone);
        expect(`${local.date} ${local.time}`, `${zone} at ${new Date(ms).toISOString()}`).toBe(
          reference(ms, zone),
        );
        compared += 1;
      }
    }
    // Paris, New York, Lord Howe, St John's and Chatham change twice in 2026; the others never.
    expect(transitions).toBe(10);
    expect(compared).toBeGreaterThan(8 * 300);
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
