import { describe, expect, it } from 'vitest';
import {
  addMonthsToLocalDate,
  appointmentStartInstant,
  cancellationCutoff,
  contreVisiteDueBy,
  isBeforeCutoff,
} from './booking-rules.js';

const iso = (date: Date) => date.toISOString();

describe('cancellation cut-off (wall clock of the centre)', () => {
  it('is the same local time the day before, for a 24 h cut-off in winter', () => {
    // Friday 14 March 2025 09:30 CET = 08:30Z → Thursday 13 March 09:30 CET.
    expect(iso(cancellationCutoff('2025-03-14T09:30', 24))).toBe('2025-03-13T08:30:00.000Z');
  });

  it('is the same local time the day before across spring-forward (23 elapsed hours)', () => {
    // Sunday 30 March 2025 09:30 CEST = 07:30Z; the day before at 09:30 is still CET = 08:30Z.
    expect(iso(appointmentStartInstant('2025-03-30T09:30'))).toBe('2025-03-30T07:30:00.000Z');
    expect(iso(cancellationCutoff('2025-03-30T09:30', 24))).toBe('2025-03-29T08:30:00.000Z');
  });

  it('is the same local time the day before across fall-back (25 elapsed hours)', () => {
    // Sunday 26 October 2025 09:30 CET = 08:30Z; Saturday 09:30 CEST = 07:30Z.
    expect(iso(cancellationCutoff('2025-10-26T09:30', 24))).toBe('2025-10-25T07:30:00.000Z');
  });

  it('counts hours that are not whole days on the wall clock, across midnight', () => {
    expect(iso(cancellationCutoff('2025-03-14T09:30', 48))).toBe('2025-03-12T08:30:00.000Z');
    expect(iso(cancellationCutoff('2025-03-14T01:00', 2))).toBe('2025-03-13T22:00:00.000Z');
    expect(iso(cancellationCutoff('2025-03-14T09:30', 0))).toBe('2025-03-14T08:30:00.000Z');
  });

  it('lands after the gap when the cut-off time does not exist (02:30 on spring-forward night)', () => {
    // 2025-03-30 02:30 does not exist in Paris: read as 03:30 CEST = 01:30Z.
    expect(iso(cancellationCutoff('2025-03-31T02:30', 24))).toBe('2025-03-30T01:30:00.000Z');
  });

  it('is exclusive: allowed one millisecond before, refused at the instant', () => {
    expect(isBeforeCutoff('2025-03-30T09:30', 24, new Date('2025-03-29T08:29:59.999Z'))).toBe(true);
    expect(isBeforeCutoff('2025-03-30T09:30', 24, new Date('2025-03-29T08:30:00.000Z'))).toBe(false);
  });

  it('reads the start in the centre time zone given', () => {
    // La Réunion is UTC+4 all year.
    expect(iso(cancellationCutoff('2025-03-14T09:30', 24, 'Indian/Reunion'))).toBe(
      '2025-03-13T05:30:00.000Z',
    );
  });
});

describe('contre-visite deadline', () => {
  it('is two calendar months after the control for S and R', () => {
    expect(contreVisiteDueBy('CTP', 'S', '2025-03-14')).toBe('2025-05-14');
    expect(contreVisiteDueBy('CTP', 'R', '2025-03-14')).toBe('2025-05-14');
    expect(contreVisiteDueBy('CTC', 'S', '2025-11-20')).toBe('2026-01-20');
  });

  it('a failed contre-visite calls for another one, counted from its own date', () => {
    expect(contreVisiteDueBy('CVP', 'S', '2025-05-10')).toBe('2025-07-10');
    expect(contreVisiteDueBy('CVC', 'R', '2025-05-10')).toBe('2025-07-10');
  });

  it('does not exist after A, nor after a voluntary control', () => {
    expect(contreVisiteDueBy('CTP', 'A', '2025-03-14')).toBeNull();
    expect(contreVisiteDueBy('CV', 'S', '2025-03-14')).toBeNull();
    expect(contreVisiteDueBy('CV', 'R', '2025-03-14')).toBeNull();
  });

  it('is clamped to the end of a shorter month', () => {
    expect(addMonthsToLocalDate('2024-12-31', 2)).toBe('2025-02-28');
    expect(addMonthsToLocalDate('2023-12-31', 2)).toBe('2024-02-29');
    expect(addMonthsToLocalDate('2025-07-31', 2)).toBe('2025-09-30');
    expect(addMonthsToLocalDate('2025-11-30', 2)).toBe('2026-01-30');
  });
});
