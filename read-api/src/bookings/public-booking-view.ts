import { type Static, Type } from '@sinclair/typebox';
import {
  BookingStatus,
  Cents,
  ControlType,
  Fuel,
  GeoPoint,
  InspectionResult,
  Instant,
  LocalDate,
  LocalDateTime,
  Nullable,
  PaymentMode,
  VehicleCategory,
} from '../http/schemas.js';
import type { BookingRecord } from '../ports/read-models.js';
import { appointmentTimes } from './appointment-times.js';

/**
 * What a booking's owner sees through the public routes. Data minimisation: the customer's own
 * e-mail and phone come back masked (enough to recognise them, useless to whoever found a printout
 * and guessed a plate); no customer id, tenant, channel, payment ids or staff notes.
 */

export const PublicBookingView = Type.Object({
  bookingId: Type.String({ description: 'Id to use with the manage (command) routes' }),
  reference: Type.String({ examples: ['K7M4-QX2P'] }),
  status: BookingStatus,
  controlType: ControlType,
  vehicle: Type.Object({
    plate: Nullable(Type.String()),
    category: VehicleCategory,
    fuel: Fuel,
  }),
  centre: Type.Object({
    centreId: Type.String(),
    name: Type.String(),
    address: Type.String(),
    postcode: Type.String(),
    city: Type.String(),
    phone: Nullable(Type.String()),
    position: Nullable(GeoPoint),
  }),
  start: LocalDateTime,
  end: LocalDateTime,
  startsAt: Instant,
  durationMinutes: Type.Integer({ minimum: 1 }),
  priceCents: Cents,
  paidCents: Cents,
  paymentMode: PaymentMode,
  result: Nullable(InspectionResult),
  contreVisiteDueBy: Nullable(LocalDate),
  customer: Type.Object({
    name: Nullable(Type.String()),
    emailMasked: Nullable(Type.String({ examples: ['c***@example.fr'] })),
    phoneMasked: Nullable(Type.String({ examples: ['+336******78'] })),
  }),
});
export type PublicBookingView = Static<typeof PublicBookingView>;

/** `camille.martin@example.fr` → `c***@example.fr`. */
export function maskEmail(email: string | null): string | null {
  if (email === null) return null;
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email.charAt(0)}***${email.slice(at)}`;
}

/** `+33612345678` → `+336******78`: the country and mobile prefix, the last two digits. */
export function maskPhone(phone: string | null): string | null {
  if (phone === null) return null;
  if (phone.length <= 6) return '*'.repeat(phone.length);
  return `${phone.slice(0, 4)}${'*'.repeat(phone.length - 6)}${phone.slice(-2)}`;
}

export function publicBookingView(booking: BookingRecord): PublicBookingView {
  const times = appointmentTimes(booking.start, booking.durationMinutes, booking.centre.timeZone);
  const { centre } = booking;
  return {
    bookingId: booking.bookingId,
    reference: booking.reference,
    status: booking.status,
    controlType: booking.controlType,
    vehicle: { plate: booking.vehicle.plate, category: booking.vehicle.category, fuel: booking.vehicle.fuel },
    centre: {
      centreId: centre.centreId,
      name: centre.name,
      address: centre.address,
      postcode: centre.postcode,
      city: centre.city,
      phone: centre.phone,
      position: centre.position === null ? null : { lat: centre.position.lat, lon: centre.position.lon },
    },
    start: booking.start,
    end: times.end,
    startsAt: times.startsAt.toISOString(),
    durationMinutes: booking.durationMinutes,
    priceCents: booking.priceCents,
    paidCents: booking.paidCents,
    paymentMode: booking.paymentMode,
    result: booking.result,
    contreVisiteDueBy: booking.contreVisiteDueBy,
    customer: {
      name: booking.customer.name,
      emailMasked: maskEmail(booking.customer.email),
      phoneMasked: maskPhone(booking.customer.phone),
    },
  };
}
