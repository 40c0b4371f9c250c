import { randomBytes } from 'node:crypto';
import type { ActorRole, CancelledBy } from '@pti/events';
import type { BookingContext, CentreTerms, HeldReservation } from '../domain/booking/booking-commands.js';
import type { RandomBytes } from '../domain/booking/booking-reference.js';
import type { Booking, BookingStatus } from '../domain/booking/booking-state.js';
import { signManageToken } from '../domain/booking/manage-token.js';
import type { Reservation } from '../domain/calendar/calendar-state.js';
import type { PreviousInspection } from '../domain/pricing/pricing.js';
import { DEFAULT_TIME_ZONE, minutesOfTime, timeOfMinutes } from '../domain/shared/local-time.js';
import type { WriteSideContext } from '../write-side-context.js';

/** What the booking routes answer: the booking's appointment and status, no personal data. */
export interface BookingView {
  readonly bookingId: string;
  readonly reference: string;
  readonly status: BookingStatus;
  readonly centreId: string;
  readonly reservationId: string;
  /** Local `YYYY-MM-DDTHH:MM`. */
  readonly start: string;
  readonly end: string;
  readonly priceCents: number;
  readonly paymentMode: Booking['paymentMode'];
  readonly holdExpiresAt: string;
}

export function bookingView(booking: Booking): BookingView {
  const date = booking.start.slice(0, 10);
  const startMinutes = minutesOfTime(booking.start.slice(11, 16));
  return {
    bookingId: booking.bookingId,
    reference: booking.reference,
    status: booking.status,
    centreId: booking.centreId,
    reservationId: booking.reservationId,
    start: booking.start,
    // Reservations lie inside opening hours, so the end is on the same day.
    end: `${date}T${timeOfMinutes(Math.min(startMinutes + booking.durationMinutes, 1439))}`,
    priceCents: booking.priceCents,
    paymentMode: booking.paymentMode,
    holdExpiresAt: booking.holdExpiresAt,
  };
}

/** A held reservation as the booking decider takes it (the fields of its `SlotHeld`). */
export function heldReservation(reservation: Reservation, centreId: string, date: string): HeldReservation {
  return {
    centreId,
    date,
    reservationId: reservation.reservationId,
    bookingId: reservation.bookingId,
    start: reservation.start,
    durationMinutes: reservation.durationMinutes,
    controlType: reservation.controlType,
    vehicle: reservation.vehicle,
    expiresAt: reservation.expiresAt,
  };
}

export function bookingContext(
  ctx: WriteSideContext,
  now: Date,
  options: {
    readonly centres?: Readonly<Record<string, CentreTerms>>;
    readonly previousInspection?: PreviousInspection | null;
    readonly randomBytes?: RandomBytes;
    readonly timeZone?: string;
  } = {},
): BookingContext {
  return {
    now,
    timeZone: options.timeZone ?? DEFAULT_TIME_ZONE,
    randomBytes: options.randomBytes ?? ((size) => randomBytes(size)),
    durationMatrix: ctx.durationMatrix,
    centres: options.centres ?? {},
    previousInspection: options.previousInspection ?? null,
  };
}

/** A fresh manage link for the booking, signed with the current secret. */
export function manageTokenFor(ctx: WriteSideContext, bookingId: string, now: Date): string {
  const [signing] = ctx.secrets.manageTokenSecrets;
  if (signing === undefined) throw new Error('no manage-token secret configured');
  const expiresAt = new Date(now.getTime() + ctx.manageTokenTtlDays * 86_400_000);
  return signManageToken({ bookingId, expiresAt }, signing);
}

/** Who cancels or moves a booking, in the booking's vocabulary, from the acting role. */
export function bookingActorOf(role: ActorRole): CancelledBy {
  switch (role) {
    case 'motorist':
    case 'client_pro':
      return 'customer';
    case 'call_centre':
      return 'call_centre';
    case 'system':
      return 'system';
    default:
      return 'centre';
  }
}
