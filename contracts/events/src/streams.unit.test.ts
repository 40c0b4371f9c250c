import { describe, expect, it } from 'vitest';
import {
  bookingStream,
  calendarStream,
  categoryPrefix,
  centreStream,
  parseStreamName,
  StreamNameError,
  tryParseStreamName,
} from './streams.js';

const uuid = '3f2b9c4e-8a1d-4c5e-9f6a-0b1c2d3e4f50';

describe('stream names', () => {
  it('builds the names of the three categories', () => {
    expect(centreStream(uuid)).toBe(`centre-${uuid}`);
    expect(calendarStream(uuid, '2025-03-14')).toBe(`calendar-${uuid}-2025-03-14`);
    expect(bookingStream('c9a8b7c6-d5e4-4f3a-9b2c-1d0e9f8a7b6c')).toBe(
      'booking-c9a8b7c6-d5e4-4f3a-9b2c-1d0e9f8a7b6c',
    );
    expect(categoryPrefix('booking')).toBe('booking-');
  });

  it.each([uuid, 'lyon-gerland', 'c42', 'a-b-c-d'])('round-trips centre id %s', (id) => {
    expect(parseStreamName(centreStream(id))).toEqual({ category: 'centre', centreId: id });
    for (const date of ['2025-03-14', '2024-02-29', '2026-12-31']) {
      expect(parseStreamName(calendarStream(id, date))).toEqual({ category: 'calendar', centreId: id, date });
    }
  });

  it.each([uuid, 'k7m4qx2p', 'booking-of-the-day'])('round-trips booking id %s', (id) => {
    expect(parseStreamName(bookingStream(id))).toEqual({ category: 'booking', bookingId: id });
  });

  it('reads a calendar name from the right', () => {
    expect(parseStreamName('calendar-lyon-est-2025-01-02')).toEqual({
      category: 'calendar',
      centreId: 'lyon-est',
      date: '2025-01-02',
    });
  });

  it.each([
    ['', 'empty'],
    ['centre', 'no id'],
    ['-abc', 'no category'],
    ['fleet-abc', 'unknown category'],
    ['Centre-abc', 'upper-case category'],
    ['centre-', 'empty id'],
    ['centre-ABC', 'upper-case id'],
    ['centre-a_b', 'underscore'],
    ['centre-a--b', 'double hyphen'],
    ['centre-abc-', 'trailing hyphen'],
    ['booking-a.b', 'dot'],
    ['calendar-abc', 'no date'],
    ['calendar-2025-03-14', 'no centre id'],
    ['calendar-abc-2025-02-30', 'impossible date'],
    ['calendar-abc-20250314', 'compact date'],
    ['calendar-abc2025-03-14', 'no separator before the date'],
    ['calendar-x-2025-01-01-2025-02-03', 'centre id ending in a date'],
    ['centre-x-2025-01-01', 'centre id ending in a date'],
    [`booking-${'a'.repeat(65)}`, 'id too long'],
  ])('rejects %j (%s)', (name) => {
    expect(() => parseStreamName(name)).toThrow(StreamNameError);
    expect(tryParseStreamName(name)).toBeUndefined();
  });

  it('validates what it builds', () => {
    expect(() => centreStream('Lyon Gerland')).toThrow(StreamNameError);
    expect(() => centreStream('lyon-2025-03-14')).toThrow(/not ending in -NNNN-NN-NN/);
    expect(() => calendarStream(uuid, '2025-02-29')).toThrow(/invalid local date/);
    expect(() => calendarStream(uuid, '14/03/2025')).toThrow(StreamNameError);
    expect(() => bookingStream('')).toThrow(StreamNameError);
  });
});
