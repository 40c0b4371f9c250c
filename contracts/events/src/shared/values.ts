import { type Static, Type } from '@sinclair/typebox';

/**
 * Value schemas shared by every event of the catalogue.
 *
 * Formats are expressed with `pattern` (never `format`) so that TypeBox's TypeCompiler, Ajv and any
 * JSON Schema tool validate them without a format registry.
 *
 * Fields holding personal data carry the custom keyword `personal: true` (see `personal.ts`).
 */

// ---------------------------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------------------------

/**
 * Aggregate and entity ids: lower-case letters and digits in groups joined by single hyphens,
 * 1 to 64 characters. A lower-case UUID fits (`3f2b9c4e-8a1d-4c5e-9f6a-0b1c2d3e4f50`), so does a
 * slug (`lyon-gerland`). No upper case, underscores, dots, slashes, colons, `$` or spaces: ids are
 * embedded in stream names (`<category>-<id>`) and must stay plain in every ledger.
 */
export const ENTITY_ID_PATTERN = '^(?=.{1,64}$)[a-z0-9]+(?:-[a-z0-9]+)*$';
const entityIdRegExp = new RegExp(ENTITY_ID_PATTERN);

/**
 * Centre ids follow the entity-id rule and, in addition, must not end with a `-YYYY-MM-DD`-shaped
 * suffix (4 digits, 2 digits, 2 digits). Calendar streams are named
 * `calendar-<centreId>-<YYYY-MM-DD>` and read from the right (the last 10 characters are the date),
 * which is unambiguous for any id; the extra rule keeps a name readable the same way by a human
 * (`calendar-x-2025-01-01-2025-02-03` cannot occur). UUIDs and slugs never end that way.
 */
export const CENTRE_ID_PATTERN = '^(?!.*-\\d{4}-\\d{2}-\\d{2}$)(?=.{1,64}$)[a-z0-9]+(?:-[a-z0-9]+)*$';
const centreIdRegExp = new RegExp(CENTRE_ID_PATTERN);

export const EntityId = Type.String({ pattern: ENTITY_ID_PATTERN, maxLength: 64 });
export type EntityId = Static<typeof EntityId>;

export const CentreId = Type.String({ pattern: CENTRE_ID_PATTERN, maxLength: 64 });
export type CentreId = Static<typeof CentreId>;

export const BookingId = EntityId;
export type BookingId = EntityId;
export const InspectorId = EntityId;
export type InspectorId = EntityId;
export const ReservationId = EntityId;
export type ReservationId = EntityId;
export const CustomerId = EntityId;
export type CustomerId = EntityId;

export function isEntityId(value: string): boolean {
  return entityIdRegExp.test(value);
}

export function isCentreId(value: string): boolean {
  return centreIdRegExp.test(value);
}

// ---------------------------------------------------------------------------------------------
// Time (all local to the centre, Europe/Paris) and instants (UTC)
// ---------------------------------------------------------------------------------------------

/**
 * A calendar date `YYYY-MM-DD` that exists in the Gregorian calendar (month lengths and leap years
 * are checked: `2024-02-29` is valid, `2025-02-29` and `2025-04-31` are not). Years 0000–9999.
 */
export const LOCAL_DATE_PATTERN =
  '^(?:\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))' +
  '|(?:\\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)$';
const localDateRegExp = new RegExp(LOCAL_DATE_PATTERN);

/** A wall-clock time `HH:MM`, 00:00 to 23:59. */
export const LOCAL_TIME_PATTERN = '^(?:[01]\\d|2[0-3]):[0-5]\\d$';
const localTimeRegExp = new RegExp(LOCAL_TIME_PATTERN);

/** A local date and time `YYYY-MM-DDTHH:MM`, without offset: it is read in the centre's time zone. */
export const LOCAL_DATE_TIME_PATTERN = `^${LOCAL_DATE_PATTERN.slice(1, -1)}T${LOCAL_TIME_PATTERN.slice(1, -1)}$`;
const localDateTimeRegExp = new RegExp(LOCAL_DATE_TIME_PATTERN);

/** An instant in UTC, RFC 3339 with a `Z` suffix, as produced by `Date.prototype.toISOString()`. */
export const INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?Z$';
const instantRegExp = new RegExp(INSTANT_PATTERN);

export const LocalDate = Type.String({
  pattern: LOCAL_DATE_PATTERN,
  description: 'Local calendar date YYYY-MM-DD (Europe/Paris)',
});
export type LocalDate = Static<typeof LocalDate>;

export const LocalTime = Type.String({
  pattern: LOCAL_TIME_PATTERN,
  description: 'Local wall-clock time HH:MM (Europe/Paris)',
});
export type LocalTime = Static<typeof LocalTime>;

export const LocalDateTime = Type.String({
  pattern: LOCAL_DATE_TIME_PATTERN,
  description: 'Local date and time YYYY-MM-DDTHH:MM, without offset (Europe/Paris)',
});
export type LocalDateTime = Static<typeof LocalDateTime>;

export const Instant = Type.String({
  pattern: INSTANT_PATTERN,
  description: 'UTC instant, RFC 3339 with Z suffix',
});
export type Instant = Static<typeof Instant>;

export function isLocalDate(value: string): boolean {
  return localDateRegExp.test(value);
}

export function isLocalTime(value: string): boolean {
  return localTimeRegExp.test(value);
}

export function isLocalDateTime(value: string): boolean {
  return localDateTimeRegExp.test(value);
}

export function isInstant(value: string): boolean {
  return instantRegExp.test(value);
}

/** A half-open interval of local time `[from, to)` within one day. */
export const TimeInterval = Type.Object(
  {
    from: LocalTime,
    to: LocalTime,
  },
  { additionalProperties: false },
);
export type TimeInterval = Static<typeof TimeInterval>;

/** Durations in minutes (a control lasts 15 to 60 minutes; 8 hours is a generous ceiling). */
export const DurationMinutes = Type.Integer({ minimum: 1, maximum: 480 });
export type DurationMinutes = Static<typeof DurationMinutes>;

export const Weekday = Type.Union([
  Type.Literal('monday'),
  Type.Literal('tuesday'),
  Type.Literal('wednesday'),
  Type.Literal('thursday'),
  Type.Literal('friday'),
  Type.Literal('saturday'),
  Type.Literal('sunday'),
]);
export type Weekday = Static<typeof Weekday>;

export const WEEKDAYS: readonly Weekday[] = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
];

/** The intervals of one day, in order, not overlapping; an empty list means closed / not working. */
export const DayIntervals = Type.Array(TimeInterval, { maxItems: 6 });
export type DayIntervals = Static<typeof DayIntervals>;

/** A week of intervals; a split day (lunch break) is two intervals. */
export const WeeklyHours = Type.Object(
  {
    monday: DayIntervals,
    tuesday: DayIntervals,
    wednesday: DayIntervals,
    thursday: DayIntervals,
    friday: DayIntervals,
    saturday: DayIntervals,
    sunday: DayIntervals,
  },
  { additionalProperties: false },
);
export type WeeklyHours = Static<typeof WeeklyHours>;

// ---------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------

/** An amount in euro cents, never negative (a free contre-visite is 0). Ceiling: 100,000.00 €. */
export const Cents = Type.Integer({ minimum: 0, maximum: 10_000_000, description: 'Amount in euro cents' });
export type Cents = Static<typeof Cents>;

export const Currency = Type.Literal('EUR');
export type Currency = Static<typeof Currency>;

// ---------------------------------------------------------------------------------------------
// Inspection vocabulary (reference/domain-ct.md)
// ---------------------------------------------------------------------------------------------

/** CTP periodic, CVP contre-visite, CV voluntary, CTC complementary pollution visit, CVC its contre-visite. */
export const ControlType = Type.Union([
  Type.Literal('CTP'),
  Type.Literal('CVP'),
  Type.Literal('CV'),
  Type.Literal('CTC'),
  Type.Literal('CVC'),
]);
export type ControlType = Static<typeof ControlType>;
export const CONTROL_TYPES: readonly ControlType[] = ['CTP', 'CVP', 'CV', 'CTC', 'CVC'];

/** VP car, VU light utility, Moto and Cyclo (category L). */
export const VehicleCategory = Type.Union([
  Type.Literal('VP'),
  Type.Literal('VU'),
  Type.Literal('Moto'),
  Type.Literal('Cyclo'),
]);
export type VehicleCategory = Static<typeof VehicleCategory>;
export const VEHICLE_CATEGORIES: readonly VehicleCategory[] = ['VP', 'VU', 'Moto', 'Cyclo'];

export const Fuel = Type.Union([
  Type.Literal('Essence'),
  Type.Literal('Diesel'),
  Type.Literal('Gaz'),
  Type.Literal('Hybride'),
  Type.Literal('Electrique'),
]);
export type Fuel = Static<typeof Fuel>;
export const FUELS: readonly Fuel[] = ['Essence', 'Diesel', 'Gaz', 'Hybride', 'Electrique'];

/** VL cars and light utility vehicles, L motorcycles, GAZ LPG/CNG, PL heavy vehicles (kept, not bookable). */
export const Accreditation = Type.Union([
  Type.Literal('VL'),
  Type.Literal('L'),
  Type.Literal('GAZ'),
  Type.Literal('PL'),
]);
export type Accreditation = Static<typeof Accreditation>;
export const ACCREDITATIONS: readonly Accreditation[] = ['VL', 'L', 'GAZ', 'PL'];

/** A favourable, S contre-visite required, R critical defect. */
export const InspectionResult = Type.Union([Type.Literal('A'), Type.Literal('S'), Type.Literal('R')]);
export type InspectionResult = Static<typeof InspectionResult>;

export const Channel = Type.Union([
  Type.Literal('web'),
  Type.Literal('mobile'),
  Type.Literal('call_centre'),
  Type.Literal('backoffice'),
]);
export type Channel = Static<typeof Channel>;

export const PaymentMode = Type.Union([Type.Literal('online'), Type.Literal('on_site')]);
export type PaymentMode = Static<typeof PaymentMode>;

/** What decides duration and the inspector's accreditation: the vehicle's category and fuel. */
export const VehicleProfile = Type.Object(
  {
    category: VehicleCategory,
    fuel: Fuel,
  },
  { additionalProperties: false },
);
export type VehicleProfile = Static<typeof VehicleProfile>;

// ---------------------------------------------------------------------------------------------
// Plates
// ---------------------------------------------------------------------------------------------

/**
 * SIV plate, normalised `AA-123-AA`: letters exclude I, O and U; `SS` is forbidden in both letter
 * groups; `WW` only exists on the left (temporary plates); the number is 001 to 999.
 */
export const SIV_PLATE_PATTERN = '^(?!SS)[A-HJ-NP-TV-Z]{2}-(?!000)\\d{3}-(?!SS|WW)[A-HJ-NP-TV-Z]{2}$';

/**
 * Old FNI plate, normalised `<1–4 digits>-<1–3 letters>-<département>`: département 01–95, 2A, 2B
 * (Corsica) or 971–976 (overseas), e.g. `123-ABC-75`, `4521-TZ-2A`.
 */
export const FNI_PLATE_PATTERN = '^\\d{1,4}-[A-Z]{1,3}-(?:0[1-9]|[1-8]\\d|9[0-5]|2A|2B|97[1-6])$';

export const PLATE_PATTERN = `(?:${SIV_PLATE_PATTERN})|(?:${FNI_PLATE_PATTERN})`;
const sivRegExp = new RegExp(SIV_PLATE_PATTERN);
const fniRegExp = new RegExp(FNI_PLATE_PATTERN);

/** A registration plate, SIV or FNI, normalised (upper case, dashes). Personal data. */
export const Plate = Type.String({
  pattern: PLATE_PATTERN,
  maxLength: 12,
  personal: true,
  description: 'Registration plate, normalised: SIV AA-123-AA or FNI 123-ABC-75',
});
export type Plate = Static<typeof Plate>;

export function isPlate(value: string): boolean {
  return sivRegExp.test(value) || fniRegExp.test(value);
}

/**
 * Normalises user input (`ab 123 cd`, `AB123CD`, `123 abc 75`) to the stored form, or returns
 * `undefined` when the input is not a valid SIV or FNI plate.
 */
export function normalisePlate(input: string): string | undefined {
  const compact = input.toUpperCase().replace(/[\s.-]+/g, '');
  const siv = /^([A-Z]{2})(\d{3})([A-Z]{2})$/.exec(compact);
  if (siv) {
    const candidate = `${siv[1]}-${siv[2]}-${siv[3]}`;
    return sivRegExp.test(candidate) ? candidate : undefined;
  }
  const fni = /^(\d{1,4})([A-Z]{1,3})(\d{2,3}|2A|2B)$/.exec(compact);
  if (fni) {
    const candidate = `${fni[1]}-${fni[2]}-${fni[3]}`;
    return fniRegExp.test(candidate) ? candidate : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Contact data
// ---------------------------------------------------------------------------------------------

/** A metropolitan or overseas French postcode (01000–98999). */
export const POSTCODE_PATTERN = '^(?:0[1-9]|[1-8]\\d|9[0-8])\\d{3}$';
export const Postcode = Type.String({ pattern: POSTCODE_PATTERN });
export type Postcode = Static<typeof Postcode>;

export const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';
/** An e-mail address. Not personal by itself: the schemas that hold a person's e-mail mark it. */
export const Email = Type.String({ pattern: EMAIL_PATTERN, maxLength: 254 });

/** A phone number in E.164 form, e.g. `+33612345678`. */
export const PHONE_PATTERN = '^\\+[1-9]\\d{7,14}$';
export const Phone = Type.String({ pattern: PHONE_PATTERN });

/** 14 digits (SIREN + NIC). The Luhn checksum is checked by the write side, not by the schema. */
export const SIRET_PATTERN = '^\\d{14}$';
export const Siret = Type.String({ pattern: SIRET_PATTERN });

/** WGS 84 position. */
export const GeoPosition = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
  },
  { additionalProperties: false },
);
export type GeoPosition = Static<typeof GeoPosition>;

/** A postal address. Whether it is personal depends on whose it is: the schema using it says. */
export const PostalAddress = Type.Object(
  {
    street: Type.String({ minLength: 1, maxLength: 200 }),
    postcode: Postcode,
    city: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
);
export type PostalAddress = Static<typeof PostalAddress>;

/** A short, non-personal label typed by staff (closure name, block reason). */
export const Label = Type.String({ minLength: 1, maxLength: 200 });
