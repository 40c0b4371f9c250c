/**
 * Aggregate stream names (`centre-<id>`, `calendar-<centreId>-<YYYY-MM-DD>`, `booking-<id>`), read
 * the way the events contract defines them: ids are lower-case letters and digits in groups joined
 * by single hyphens, 1–64 characters; a calendar name is read from the right.
 */

export type ParsedStream =
  | { readonly category: 'centre'; readonly centreId: string }
  | { readonly category: 'calendar'; readonly centreId: string; readonly date: string }
  | { readonly category: 'booking'; readonly bookingId: string };

const ID = '[a-z0-9]+(?:-[a-z0-9]+)*';
export const STREAM_NAME_PATTERN = `^(centre|calendar|booking)-${ID}$`;

const CENTRE = new RegExp(`^centre-(${ID})$`);
const CALENDAR = new RegExp(`^calendar-(${ID})-(\\d{4}-\\d{2}-\\d{2})$`);
const BOOKING = new RegExp(`^booking-(${ID})$`);

const idFits = (id: string) => id.length >= 1 && id.length <= 64;

export function parseStreamName(stream: string): ParsedStream | null {
  const calendar = CALENDAR.exec(stream);
  if (calendar?.[1] !== undefined && calendar[2] !== undefined && idFits(calendar[1])) {
    return { category: 'calendar', centreId: calendar[1], date: calendar[2] };
  }
  const centre = CENTRE.exec(stream);
  if (centre?.[1] !== undefined && idFits(centre[1])) return { category: 'centre', centreId: centre[1] };
  const booking = BOOKING.exec(stream);
  if (booking?.[1] !== undefined && idFits(booking[1])) return { category: 'booking', bookingId: booking[1] };
  return null;
}
