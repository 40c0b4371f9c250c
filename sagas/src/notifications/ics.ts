/**
 * A minimal RFC 5545 calendar file with one VEVENT, attached to confirmation, change and
 * cancellation e-mails. Times are written in UTC (`…Z`), so no VTIMEZONE is needed; the UID is the
 * booking's, and SEQUENCE grows with each change so calendars update the event in place. The read
 * API builds the full download; a composition root may pass its generator instead of this one.
 */
export interface CalendarEventInput {
  /** Stable per booking: `<bookingId>@pti-calendar`. */
  readonly uid: string;
  /** 0 at confirmation, +1 per change; a cancellation uses the next number too. */
  readonly sequence: number;
  readonly start: Date;
  readonly end: Date;
  /** When this file was produced. */
  readonly stamp: Date;
  readonly summary: string;
  readonly location: string;
  readonly description: string;
  readonly url?: string;
  /** `REQUEST` adds or updates the event; `CANCEL` removes it. */
  readonly method: 'REQUEST' | 'CANCEL';
}

export type IcsGenerator = (event: CalendarEventInput) => string;

/** `20260616T083000Z` */
export function icsInstant(instant: Date): string {
  return instant
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline. */
export function escapeIcsText(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll(';', '\\;').replaceAll(',', '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence. */
export function foldIcsLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const character of line) {
    const size = Buffer.byteLength(character, 'utf8');
    // The first line holds 75 octets; continuation lines start with a space, so 74 more.
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += character;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

export const minimalIcs: IcsGenerator = (event) => {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//PTI Calendar//Rendez-vous contrôle technique//FR',
    'CALSCALE:GREGORIAN',
    `METHOD:${event.method}`,
    'BEGIN:VEVENT',
    `UID:${event.uid}`,
    `DTSTAMP:${icsInstant(event.stamp)}`,
    `SEQUENCE:${event.sequence}`,
    `DTSTART:${icsInstant(event.start)}`,
    `DTEND:${icsInstant(event.end)}`,
    `SUMMARY:${escapeIcsText(event.summary)}`,
    `LOCATION:${escapeIcsText(event.location)}`,
    `DESCRIPTION:${escapeIcsText(event.description)}`,
    ...(event.url ? [`URL:${event.url}`] : []),
    `STATUS:${event.method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED'}`,
    'TRANSP:OPAQUE',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(foldIcsLine).join('\r\n')}\r\n`;
};
