import { describe, expect, it } from 'vitest';
import { escapeIcsText, foldIcsLine, minimalIcs } from './ics.js';

describe('minimal calendar file', () => {
  const file = minimalIcs({
    uid: 'booking-1@pti-calendar',
    sequence: 2,
    start: new Date('2026-06-16T08:00:00.000Z'),
    end: new Date('2026-06-16T08:45:00.000Z'),
    stamp: new Date('2026-06-15T08:00:00.000Z'),
    summary: 'Contrôle technique – Lyon Gerland',
    location: 'Contrôle Technique Lyon Gerland, 42 avenue Jean Jaurès; 69007 Lyon',
    description: 'contrôle technique périodique – véhicule AB-123-CD – référence K7M4-QX2P',
    method: 'REQUEST',
  });

  it('is one VEVENT in UTC with CRLF lines, a stable UID and a sequence', () => {
    expect(file.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(file.endsWith('END:VEVENT\r\nEND:VCALENDAR\r\n')).toBe(true);
    expect(file).toContain('\r\nUID:booking-1@pti-calendar\r\n');
    expect(file).toContain('\r\nSEQUENCE:2\r\n');
    expect(file).toContain('\r\nDTSTART:20260616T080000Z\r\n');
    expect(file).toContain('\r\nDTEND:20260616T084500Z\r\n');
    expect(file).toContain('\r\nSTATUS:CONFIRMED\r\n');
    expect(file.split('\r\n').filter((line) => line.startsWith('BEGIN:'))).toEqual([
      'BEGIN:VCALENDAR',
      'BEGIN:VEVENT',
    ]);
  });

  it('escapes text values and folds lines at 75 octets without splitting a character', () => {
    expect(escapeIcsText('a,b;c\\d\ne')).toBe('a\\,b\\;c\\\\d\\ne');
    expect(file.replaceAll('\r\n ', '')).toContain(
      'LOCATION:Contrôle Technique Lyon Gerland\\, 42 avenue Jean Jaurès\\; 69007 Lyon',
    );
    const long = `DESCRIPTION:${'é'.repeat(60)}`;
    const folded = foldIcsLine(long);
    for (const line of folded.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(
      folded
        .split('\r\n')
        .map((line, i) => (i === 0 ? line : line.slice(1)))
        .join(''),
    ).toBe(long);
  });
});
