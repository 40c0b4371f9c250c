import { type SchemaOptions, type Static, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';
import {
  ACCREDITATIONS,
  BOOKING_STATUSES,
  CHANNELS,
  CONTROL_TYPES,
  FUELS,
  INSPECTION_RESULTS,
  PAYMENT_MODES,
  VEHICLE_CATEGORIES,
} from '../ports/read-models.js';

/**
 * Schema building blocks shared by every route. The HTTP contract is the API's own (read-api may
 * not import the events contract): values mirror the domain vocabulary.
 *
 * The OpenAPI document is 3.1, so `null` is a type and enums are plain `enum` lists, which is what
 * client generators read best.
 */

/** A string among `values`, as a JSON Schema `enum` (not TypeBox's anyOf of literals). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

export const LOCAL_DATE_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';
export const LOCAL_TIME_PATTERN = '^([01]\\d|2[0-3]):[0-5]\\d$';
export const LOCAL_DATE_TIME_PATTERN = `^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d$`;
/** Ids are lower-case letters and digits in groups joined by single hyphens (streams embed them). */
export const ENTITY_ID_PATTERN = '^(?=.{1,64}$)[a-z0-9]+(-[a-z0-9]+)*$';

export const LocalDate = Type.String({
  pattern: LOCAL_DATE_PATTERN,
  description: 'Local date YYYY-MM-DD (Europe/Paris)',
  examples: ['2025-03-14'],
});
export const LocalTime = Type.String({
  pattern: LOCAL_TIME_PATTERN,
  description: 'Local time HH:MM (Europe/Paris)',
  examples: ['09:30'],
});
export const LocalDateTime = Type.String({
  pattern: LOCAL_DATE_TIME_PATTERN,
  description: 'Local date and time YYYY-MM-DDTHH:MM, without offset (Europe/Paris)',
  examples: ['2025-03-14T09:30'],
});
export const Instant = Type.String({ format: 'date-time', description: 'UTC instant, RFC 3339' });
export const EntityId = Type.String({ pattern: ENTITY_ID_PATTERN, maxLength: 64 });
export const Cents = Type.Integer({ minimum: 0, description: 'Amount in euro cents' });

export const VehicleCategory = StringEnum(VEHICLE_CATEGORIES, {
  description: 'VP car, VU light utility, Moto, Cyclo (category L)',
});
export const Fuel = StringEnum(FUELS);
export const ControlType = StringEnum(CONTROL_TYPES, {
  description:
    'CTP periodic, CVP its contre-visite, CV voluntary, CTC pollution visit, CVC its contre-visite',
});
export const Channel = StringEnum(CHANNELS);
export const PaymentMode = StringEnum(PAYMENT_MODES);
export const InspectionResult = StringEnum(INSPECTION_RESULTS, {
  description: 'A favourable, S contre-visite required, R critical defect',
});
export const Accreditation = StringEnum(ACCREDITATIONS);
export const BookingStatus = StringEnum(BOOKING_STATUSES);

export const GeoPoint = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
  },
  { additionalProperties: false },
);

/** The vehicle profile of public queries; category and control default to a car's periodic visit. */
export const VehicleProfileQuery = {
  category: Type.Optional(StringEnum(VEHICLE_CATEGORIES, { default: 'VP' })),
  fuel: Type.Optional(Fuel),
  controlType: Type.Optional(StringEnum(CONTROL_TYPES, { default: 'CTP' })),
};

export const VehicleProfileView = Type.Object({
  category: VehicleCategory,
  fuel: Nullable(Fuel),
  controlType: ControlType,
});
export type VehicleProfileView = Static<typeof VehicleProfileView>;

export const CentreSummaryView = Type.Object({
  centreId: Type.String(),
  name: Type.String(),
  address: Type.String(),
  postcode: Type.String(),
  city: Type.String(),
  position: GeoPoint,
  phone: Nullable(Type.String()),
});
export type CentreSummaryView = Static<typeof CentreSummaryView>;

export const FreeSlotView = Type.Object({
  date: LocalDate,
  start: LocalTime,
  startsAt: Instant,
});
export type FreeSlotView = Static<typeof FreeSlotView>;
