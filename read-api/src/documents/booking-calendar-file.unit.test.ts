import { describe, expect, it } from 'vitest';
import { documentSettings } from '../app/read-api-routes.js';
import type { BookingRecord } from '../ports/read-models.js';
import { BOOKINGS } from '../testing/fixtures.js';
import { bookingCalendarFile, calendarSequence } from './booking-calendar-file.js';

const settings = documentSettings({ publicBaseUrl: 'https://rdv.pti-controle.fr' });
const camille = BOOKINGS[0]!;

/** Content lines after unfolding, as a calendar client reads them. */
function contentLines(file: string): string[] {
  return file
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((line) => line !== '');
}

/** The value of the first property `name` (parameters ignored) inside component `component`. */
function property(file: string, name: string, component = 'VEVENT'): string | undefined {
  const lines = contentLines(file);
  const inside = lines.slice(lines.indexOf(`BEGIN:${component}`), lines.indexOf(`END:${component}`));
  const line = inside.find((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));
  return line?.slice(line.indexOf(':') + 1);
}

describe('bookingCalendarFile', () => {
  const file = bookingCalendarFile(camille, settings);

  it('uses CRLF line ends only and folds every line to 75 octets', () => {
    expect(file.endsWith('\r\n')).toBe(true);
    expect(file.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of file.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(file).toContain('\r\n '); // the description is long enough to be folded
  });

  it('nests its components and carries the required properties', () => {
    const lines = contentLines(file);
    const stack: string[] = [];
    for (const line of lines) {
      if (line.startsWith('BEGIN:')) stack.push(line.slice(6));
      if (line.startsWith('END:')) expect(stack.pop()).toBe(line.slice(4));
    }
    expect(stack).toEqual([]);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(property(file, 'VERSION', 'VCALENDAR')).toBe('2.0');
    expect(property(file, 'PRODID', 'VCALENDAR')).toContain('PTI Calendar');
    expect(property(file, 'METHOD', 'VCALENDAR')).toBe('PUBLISH');
    expect(property(file, 'TZID', 'VTIMEZONE')).toBe('Europe/Paris');
    for (const name of ['UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SEQUENCE', 'SUMMARY', 'STATUS']) {
      expect(property(file, name), name).toBeDefined();
    }
  });

  it('places the appointment in Paris local time with its VTIMEZONE', () => {
    const lines = contentLines(file);
    expect(lines).toContain('DTSTART;TZID=Europe/Paris:20250314T093000');
    expect(lines).toContain('DTEND;TZID=Europe/Paris:20250314T101500');
    expect(lines).toContain('DTSTAMP:20250310T080500Z');
    expect(lines).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU');
  });

  it('speaks French and escapes TEXT values', () => {
    expect(property(file, 'SUMMARY')).toBe('Contrôle technique périodique – AB-123-CD');
    expect(property(file, 'LOCATION')).toBe(
      'Contrôle Technique Lyon Gerland\\, 42 avenue Jean Jaurès\\, 69007 Lyon',
    );
    const description = property(file, 'DESCRIPTION') ?? '';
    expect(description).toContain('Référence : K7M4-QX2P\\n');
    expect(description).toContain('78\\,00');
    expect(description).toContain("certificat d'immatriculation");
    expect(description).toContain('https://rdv.pti-controle.fr/rendez-vous/gerer?reference=K7M4-QX2P');
    const tricky = bookingCalendarFile(
      { ...camille, centre: { ...camille.centre, name: 'CT Lyon; Gerland, "Sud"\\7e' } },
      settings,
    );
    expect(property(tricky, 'LOCATION')).toMatch(/^CT Lyon\\; Gerland\\, "Sud"\\\\7e\\,/);
    expect(contentLines(tricky)).toContain(
      `ORGANIZER;CN="CT Lyon; Gerland, 'Sud'\\7e":mailto:lyon-gerland@pti-controle.fr`,
    );
  });

  it('keeps the UID of the booking and raises SEQUENCE on each reschedule, then on cancellation', () => {
    const moved: BookingRecord = { ...camille, start: '2025-03-18T14:00', rescheduleCount: 1 };
    const cancelled: BookingRecord = {
      ...moved,
      status: 'cancelled',
      cancellation: { cancelledBy: 'customer', reason: 'customer_request', refundEligible: true },
    };
    const files = [camille, moved, cancelled].map((booking) => bookingCalendarFile(booking, settings));
    expect(new Set(files.map((f) => property(f, 'UID')))).toEqual(
      new Set(['c9a8b7c6-d5e4-4f3a-9b2c-1d0e9f8a7b6c@pti-calendar.fr']),
    );
    expect(files.map((f) => property(f, 'SEQUENCE'))).toEqual(['0', '1', '2']);
    expect([camille, moved, cancelled].map(calendarSequence)).toEqual([0, 1, 2]);
    const last = files[2] ?? '';
    expect(property(last, 'METHOD', 'VCALENDAR')).toBe('CANCEL');
    expect(property(last, 'STATUS')).toBe('CANCELLED');
    expect(property(last, 'SUMMARY')).toMatch(/^Annulé – /);
    expect(last).not.toContain('BEGIN:VALARM');
    expect(contentLines(files[1] ?? '')).toContain('DTSTART;TZID=Europe/Paris:20250318T140000');
  });

  it('marks a held (not yet confirmed) booking TENTATIVE and an expired one cancelled', () => {
    expect(property(bookingCalendarFile({ ...camille, status: 'placed' }, settings), 'STATUS')).toBe(
      'TENTATIVE',
    );
    const expired = bookingCalendarFile({ ...camille, status: 'expired' }, settings);
    expect(property(expired, 'STATUS')).toBe('CANCELLED');
    expect(property(expired, 'SEQUENCE')).toBe('1');
  });

  it('computes DTEND across a daylight-saving change and falls back to UTC outside Paris', () => {
    const overnight = bookingCalendarFile(
      { ...camille, start: '2025-03-30T01:30', durationMinutes: 60 },
      settings,
    );
    // 01:30 CET + 60 min = 03:30 CEST: the clock jumped from 02:00 to 03:00.
    expect(contentLines(overnight)).toContain('DTEND;TZID=Europe/Paris:20250330T033000');
    const reunion = bookingCalendarFile(
      { ...camille, centre: { ...camille.centre, timeZone: 'Indian/Reunion' } },
      settings,
    );
    expect(reunion).not.toContain('BEGIN:VTIMEZONE');
    expect(contentLines(reunion)).toContain('DTSTART:20250314T053000Z');
  });

  it('gives the same bytes for the same booking version (DTSTAMP is its last change)', () => {
    expect(bookingCalendarFile(camille, settings)).toBe(file);
  });
});
