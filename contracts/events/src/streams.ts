import { isCentreId, isEntityId, isLocalDate } from './shared/values.js';

/**
 * Stream names (DESIGN.md §4–5): `<category>-<id>`.
 *
 * | aggregate    | category   | name                                 |
 * | ------------ | ---------- | ------------------------------------ |
 * | Centre       | `centre`   | `centre-<centreId>`                  |
 * | SlotCalendar | `calendar` | `calendar-<centreId>-<YYYY-MM-DD>`   |
 * | Booking      | `booking`  | `booking-<bookingId>`                |
 *
 * Rules:
 * - The category is everything before the first `-` and never contains one (EventStoreDB's `$ce-`
 *   category projection splits on the first `-`).
 * - Ids are lower-case letters and digits in groups joined by single hyphens, 1 to 64 characters
 *   (lower-case UUIDs and slugs fit). No upper case, `_`, `.`, `/`, `:`, `$` or spaces.
 * - A calendar name is read from the right: its last 10 characters are the local date and the
 *   character before them is `-`; what lies between `calendar-` and that `-` is the centre id.
 *   This is unambiguous for any id. In addition a centre id must not itself end with a
 *   `-NNNN-NN-NN` suffix, so that no calendar name looks like it has two dates.
 * - A prefix such as `calendar-<centreId>-` also matches the days of a centre whose id extends
 *   that one (`lyon` vs `lyon-est`): to select one centre's days, parse the name and compare ids.
 */

export const STREAM_CATEGORIES = ['centre', 'calendar', 'booking'] as const;
export type StreamCategory = (typeof STREAM_CATEGORIES)[number];

export type ParsedStreamName =
  | { readonly category: 'centre'; readonly centreId: string }
  | { readonly category: 'calendar'; readonly centreId: string; readonly date: string }
  | { readonly category: 'booking'; readonly bookingId: string };

export class StreamNameError extends Error {
  override readonly name = 'StreamNameError';
}

function requireCentreId(centreId: string): void {
  if (!isCentreId(centreId)) {
    throw new StreamNameError(
      `invalid centre id ${JSON.stringify(centreId)}: expected lower-case letters and digits in groups joined by single hyphens (1–64 characters), not ending in -NNNN-NN-NN`,
    );
  }
}

function requireEntityId(what: string, id: string): void {
  if (!isEntityId(id)) {
    throw new StreamNameError(
      `invalid ${what} id ${JSON.stringify(id)}: expected lower-case letters and digits in groups joined by single hyphens (1–64 characters)`,
    );
  }
}

function requireLocalDate(date: string): void {
  if (!isLocalDate(date)) {
    throw new StreamNameError(
      `invalid local date ${JSON.stringify(date)}: expected an existing YYYY-MM-DD date`,
    );
  }
}

/** `centre-<centreId>` */
export function centreStream(centreId: string): string {
  requireCentreId(centreId);
  return `centre-${centreId}`;
}

/** `calendar-<centreId>-<YYYY-MM-DD>`: the reservations of one centre on one local day. */
export function calendarStream(centreId: string, localDate: string): string {
  requireCentreId(centreId);
  requireLocalDate(localDate);
  return `calendar-${centreId}-${localDate}`;
}

/** `booking-<bookingId>` */
export function bookingStream(bookingId: string): string {
  requireEntityId('booking', bookingId);
  return `booking-${bookingId}`;
}

/** The prefix shared by every stream of a category, for ledger filters (`booking-`). */
export function categoryPrefix(category: StreamCategory): string {
  return `${category}-`;
}

function isStreamCategory(value: string): value is StreamCategory {
  return (STREAM_CATEGORIES as readonly string[]).includes(value);
}

/** Parses and validates a stream name; throws `StreamNameError` when it is not one of ours. */
export function parseStreamName(name: string): ParsedStreamName {
  const dash = name.indexOf('-');
  if (dash <= 0)
    throw new StreamNameError(`invalid stream name ${JSON.stringify(name)}: expected <category>-<id>`);
  const category = name.slice(0, dash);
  const rest = name.slice(dash + 1);
  if (!isStreamCategory(category)) {
    throw new StreamNameError(
      `unknown stream category ${JSON.stringify(category)} in ${JSON.stringify(name)}: expected one of ${STREAM_CATEGORIES.join(', ')}`,
    );
  }
  switch (category) {
    case 'centre':
      requireCentreId(rest);
      return { category, centreId: rest };
    case 'booking':
      requireEntityId('booking', rest);
      return { category, bookingId: rest };
    case 'calendar': {
      // `<centreId>-<YYYY-MM-DD>`: the date is the last 10 characters, preceded by `-`.
      const date = rest.slice(-10);
      const centreId = rest.slice(0, -11);
      if (rest.length < 12 || rest.charAt(rest.length - 11) !== '-') {
        throw new StreamNameError(
          `invalid calendar stream name ${JSON.stringify(name)}: expected calendar-<centreId>-<YYYY-MM-DD>`,
        );
      }
      requireCentreId(centreId);
      requireLocalDate(date);
      return { category, centreId, date };
    }
  }
}

/** Like `parseStreamName`, but returns `undefined` instead of throwing. */
export function tryParseStreamName(name: string): ParsedStreamName | undefined {
  try {
    return parseStreamName(name);
  } catch (error) {
    if (error instanceof StreamNameError) return undefined;
    throw error;
  }
}
