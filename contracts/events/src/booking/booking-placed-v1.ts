import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { personal } from '../shared/personal.js';
import {
  BookingId,
  CentreId,
  ControlType,
  CustomerId,
  DurationMinutes,
  Email,
  Instant,
  LocalDate,
  LocalTime,
  Phone,
  ReservationId,
  Siret,
} from '../shared/values.js';
import { type BookingPlaced, BookingReference, Vehicle } from './booking-events.js';

/**
 * ILLUSTRATIVE HISTORICAL VERSION. No ledger ever stored this shape: it is kept as the worked
 * example of an upcaster, modelled on the seed specification's first DTO (money as decimal euros,
 * date and time apart, `call_center` spelling, online payment only). The shape differs from the
 * current BookingPlaced (version 2) in that:
 *
 * - the start was two fields, `date` (YYYY-MM-DD) and `time` (HH:MM), instead of `start`;
 * - the price was `priceEuros`, a decimal number, instead of integer `priceCents`;
 * - the channel `call_center` is now spelt `call_centre`;
 * - there was no `paymentMode` (every booking was prepaid online);
 * - the customer had no postal address and a company no contact name.
 */
const V1PrivateCustomer = Type.Object(
  {
    kind: Type.Literal('private'),
    name: personal(Type.String({ minLength: 1, maxLength: 200 })),
    email: personal(Email),
    phone: personal(Phone),
  },
  { additionalProperties: false },
);

const V1CompanyCustomer = Type.Object(
  {
    kind: Type.Literal('company'),
    name: personal(Type.String({ minLength: 1, maxLength: 200 })),
    siret: personal(Siret),
    email: personal(Email),
    phone: personal(Phone),
  },
  { additionalProperties: false },
);

export const BookingPlacedV1 = Type.Object(
  {
    bookingId: BookingId,
    reference: BookingReference,
    customerId: CustomerId,
    customer: Type.Union([V1PrivateCustomer, V1CompanyCustomer]),
    vehicle: Vehicle,
    controlType: ControlType,
    centreId: CentreId,
    reservationId: ReservationId,
    date: LocalDate,
    time: LocalTime,
    durationMinutes: DurationMinutes,
    priceEuros: Type.Number({ minimum: 0, maximum: 100_000 }),
    channel: Type.Union([
      Type.Literal('web'),
      Type.Literal('mobile'),
      Type.Literal('call_center'),
      Type.Literal('backoffice'),
    ]),
    holdExpiresAt: Instant,
  },
  {
    $id: 'BookingPlaced@1',
    title: 'BookingPlaced@1',
    description: 'Illustrative historical version 1 of BookingPlaced (never stored).',
    additionalProperties: false,
  },
);
export type BookingPlacedV1 = Static<typeof BookingPlacedV1>;

const checkV1 = TypeCompiler.Compile(BookingPlacedV1);

/** Upcasts a version-1 BookingPlaced payload to version 2. Throws when the input is not version 1. */
export function upcastBookingPlacedV1(data: unknown): BookingPlaced {
  if (!checkV1.Check(data)) {
    const first = checkV1.Errors(data).First();
    const where = first ? `${first.path || '/'}: ${first.message}` : 'shape mismatch';
    throw new Error(`not a BookingPlaced version 1 payload (${where})`);
  }
  const v1 = data;
  const customer: BookingPlaced['customer'] =
    v1.customer.kind === 'private'
      ? {
          kind: 'private',
          name: v1.customer.name,
          email: v1.customer.email,
          phone: v1.customer.phone,
          address: null,
        }
      : {
          kind: 'company',
          name: v1.customer.name,
          siret: v1.customer.siret,
          contactName: null,
          email: v1.customer.email,
          phone: v1.customer.phone,
          address: null,
        };
  return {
    bookingId: v1.bookingId,
    reference: v1.reference,
    customerId: v1.customerId,
    customer,
    vehicle: { plate: v1.vehicle.plate, category: v1.vehicle.category, fuel: v1.vehicle.fuel },
    controlType: v1.controlType,
    centreId: v1.centreId,
    reservationId: v1.reservationId,
    start: `${v1.date}T${v1.time}`,
    durationMinutes: v1.durationMinutes,
    priceCents: Math.round(v1.priceEuros * 100),
    channel: v1.channel === 'call_center' ? 'call_centre' : v1.channel,
    paymentMode: 'online',
    holdExpiresAt: v1.holdExpiresAt,
  };
}
