import { describe, expect, it } from 'vitest';
import {
  CRLF,
  contentLine,
  escapeText,
  foldLine,
  localDateTimeValue,
  paramValue,
  serializeLines,
  utcDateTimeValue,
} from './icalendar-text.js';

const octets = (text: string) => Buffer.byteLength(text, 'utf8');

/** Unfolding (RFC 5545 §3.1): a CRLF followed by one space or tab is removed. */
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');

describe('RFC 5545 text rules', () => {
  it('escapes backslash, semicolon, comma and line breaks in TEXT (§3.3.11)', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf\rg')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng');
    // A colon needs no escaping in TEXT.
    expect(escapeText('Tél. : 04')).toBe('Tél. : 04');
  });

  it('quotes parameter values holding : ; or , and never lets a DQUOTE through (§3.2)', () => {
    expect(paramValue('Lyon Gerland')).toBe('Lyon Gerland');
    expect(paramValue('Centre: Lyon, 7e')).toBe('"Centre: Lyon, 7e"');
    expect(paramValue('Le "meilleur"')).toBe("Le 'meilleur'");
    expect(contentLine({ name: 'ORGANIZER', params: { CN: 'A;B' }, value: 'mailto:a@b.fr' })).toBe(
      'ORGANIZER;CN="A;B":mailto:a@b.fr',
    );
  });

  it('folds lines longer than 75 octets, continuation lines starting with one space (§3.1)', () => {
    const line = `DESCRIPTION:${'x'.repeat(200)}`;
    const folded = foldLine(line);
    const parts = folded.split(CRLF);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(octets(part)).toBeLessThanOrEqual(75);
    for (const part of parts.slice(1)) expect(part.startsWith(' ')).toBe(true);
    expect(unfold(folded)).toBe(line);
  });

  it('counts octets, not characters, and never splits a UTF-8 sequence', () => {
    const line = `SUMMARY:${'é€'.repeat(60)}`;
    const folded = foldLine(line);
    for (const part of folded.split(CRLF)) {
      expect(octets(part)).toBeLessThanOrEqual(75);
      // Each part decodes on its own: no replacement character from a cut sequence.
      expect(Buffer.from(part, 'utf8').toString('utf8')).not.toContain('\ufffd');
    }
    expect(unfold(folded)).toBe(line);
  });

  it('leaves a line of exactly 75 octets alone', () => {
    const line = `X:${'a'.repeat(73)}`;
    expect(foldLine(line)).toBe(line);
    expect(foldLine(`${line}b`)).toBe(`${line}${CRLF} b`);
  });

  it('ends every line with CRLF, the last included', () => {
    const text = serializeLines(['BEGIN:VCALENDAR', { name: 'VERSION', value: '2.0' }, 'END:VCALENDAR']);
    expect(text).toBe('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n');
  });

  it('writes DATE-TIME values in local and UTC forms (§3.3.5)', () => {
    expect(localDateTimeValue('2025-03-14T09:30')).toBe('20250314T093000');
    expect(utcDateTimeValue(new Date('2025-03-10T08:05:00.123Z'))).toBe('20250310T080500Z');
  });
});
