import {
  bookingStream,
  type ControlType,
  type Fuel,
  isLocalDate,
  isLocalDateTime,
  type VehicleCategory,
} from '@pti/events';
import { executeCalendarCommand, loadCalendar } from '../calendar/calendar-execution.js';
import { loadCentreOf } from '../centre/centre-loading.js';
import { type CommandMeta, requestIds } from '../commands/command-meta.js';
import { loadAggregate } from '../commands/execute-command.js';
import { bookingDecider } from '../domain/booking/booking-decider.js';
import { appointmentDateAndTime } from '../domain/booking/booking-rules.js';
import { findReservation, type Reservation } from '../domain/calendar/calendar-state.js';
import { centreDayConfiguration } from '../domain/centre/centre-day-configuration.js';
import { durationMinutes } from '../domain/durations/duration-matrix.js';
import { listPriceCents } from '../domain/pricing/pricing.js';
import { DomainError } from '../domain/shared/domain-error.js';
import { minutesOfTime, timeOfMinutes } from '../domain/shared/local-time.js';
import type { WriteSideContext } from '../write-side-context.js';
import { requireHoldToken, signHoldToken } from './hold-token.js';

/**
 * Hold a slot before the customer is known (the booking PWA: "picking a slot holds it").
 *
 * One append: `HoldSlot` on `calendar-<centreId>-<date>`, naming a booking id generated now, which the
 * booking placed later on this hold takes (`placeBooking` with `hold`). Until then the hold is what
 * DESIGN.md calls an orphan hold — a `SlotHeld` whose booking stream does not exist — and that is
 * exactly what the hold timer already cleans up: at `expiresAt` it finds no booking for the id and
 * releases the hold (`resolveHold`, hold-release saga). Nothing else has to remember the hold.
 *
 * Checks that append nothing come first: the centre, its day, the control's duration for the vehicle
 * (`CONTROL_NOT_APPLICABLE`) and its price (`NOT_PRICED`), so a hold is never taken for a booking the
 * centre would refuse anyway. Customer details (plate, e-mail, SIRET) are checked at placement.
 */

export interface HoldSlotInput {
  readonly centreId: string;
  /** Local `YYYY-MM-DDTHH:MM` at the centre. */
  readonly start: string;
  readonly controlType: ControlType;
  readonly vehicle: { readonly category: VehicleCategory; readonly fuel: Fuel };
  readonly inspectorId?: string | null;
}

export interface HeldSlot {
  /** The reservation id: the hold's identity on the calendar. */
  readonly holdId: string;
  /** The id the booking placed on this hold will have. */
  readonly bookingId: string;
  /** Proof of ownership, required to place the booking on the hold or to release it. */
  readonly holdToken: string;
  readonly centreId: string;
  readonly start: string;
  readonly end: string;
  readonly durationMinutes: number;
  readonly inspectorId: string | null;
  readonly overbooked: boolean;
  /** The list price; a contre-visite may still turn out free at placement. */
  readonly listPriceCents: number;
  readonly holdExpiresAt: string;
}

function heldSlotOf(
  ctx: WriteSideContext,
  reservation: Reservation,
  centreId: string,
  date: string,
  listPrice: number,
): HeldSlot {
  return {
    holdId: reservation.reservationId,
    bookingId: reservation.bookingId,
    holdToken: signHoldToken(ctx.secrets, reservation.reservationId, new Date(reservation.expiresAt)),
    centreId,
    start: `${date}T${reservation.start}`,
    end: `${date}T${timeOfMinutes(Math.min(minutesOfTime(reservation.start) + reservation.durationMinutes, 1439))}`,
    durationMinutes: reservation.durationMinutes,
    inspectorId: reservation.inspectorId,
    overbooked: reservation.overbooked,
    listPriceCents: listPrice,
    holdExpiresAt: reservation.expiresAt,
  };
}

function requireStart(start: string): { readonly date: string; readonly time: string } {
  if (!isLocalDateTime(start)) {
    throw new DomainError('INVALID_COMMAND', 'start is not an existing local YYYY-MM-DDTHH:MM', {
      field: 'start',
    });
  }
  return appointmentDateAndTime(start);
}

export async function holdSlot(
  ctx: WriteSideContext,
  input: HoldSlotInput,
  meta: CommandMeta,
): Promise<HeldSlot> {
  const now = ctx.env.now();
  const ids = requestIds(meta);
  const { date, time } = requireStart(input.start);
  const centre = await loadCentreOf(ctx, input.centreId, meta.origin.tenantId);
  const day = centreDayConfiguration(centre.state, date);
  const minutes = durationMinutes(
    ctx.durationMatrix,
    input.controlType,
    input.vehicle.category,
    input.vehicle.fuel,
  );
  const listPrice = listPriceCents(
    centre.state.priceList?.entries ?? [],
    input.controlType,
    input.vehicle.category,
    input.vehicle.fuel,
  );
  // The same labels as `placeBooking`: a keyed retry re-derives the same ids and the calendar
  // recognises the hold as its own.
  const reservationId = ids.id('reservation');
  const bookingId = ids.id('booking');
  const held = await executeCalendarCommand(
    ctx,
    {
      type: 'HoldSlot',
      centreId: input.centreId,
      date,
      reservationId,
      bookingId,
      start: time,
      durationMinutes: minutes,
      controlType: input.controlType,
      vehicle: { category: input.vehicle.category, fuel: input.vehicle.fuel },
      inspectorId: input.inspectorId ?? null,
    },
    meta,
    'hold',
    { now, day },
  );
  const reservation = findReservation(held.state, reservationId);
  if (!reservation) throw new Error(`hold ${reservationId} missing after HoldSlot`);
  return heldSlotOf(ctx, reservation, input.centreId, date, listPrice);
}

/** What names a hold from the outside: its id and token, and the day it lies on. */
export interface HoldClaim {
  readonly holdId: string;
  readonly holdToken: string;
  readonly centreId: string;
  /** Local `YYYY-MM-DDTHH:MM` (the hold's start) or `YYYY-MM-DD`. */
  readonly start: string;
}

/**
 * The running hold a claim names, for its owner: the token must be this hold's (`INVALID_HOLD_TOKEN`),
 * the hold must exist on that day (`UNKNOWN_RESERVATION`), still be a hold (`RESERVATION_ENDED` once
 * released or freed, `HOLD_ALREADY_USED` once confirmed) and not have run out (`HOLD_EXPIRED`).
 */
export async function claimedHold(
  ctx: WriteSideContext,
  claim: HoldClaim,
  now: Date,
): Promise<{ readonly reservation: Reservation; readonly date: string }> {
  requireHoldToken(ctx.secrets, claim.holdToken, now, claim.holdId);
  const date = claim.start.slice(0, 10);
  if (!isLocalDate(date)) {
    throw new DomainError('INVALID_COMMAND', 'start is not an existing local date', { field: 'start' });
  }
  const { state } = await loadCalendar(ctx, claim.centreId, date);
  const reservation = findReservation(state, claim.holdId);
  if (reservation === undefined) {
    throw new DomainError('UNKNOWN_RESERVATION', `no hold ${claim.holdId} at ${claim.centreId} on ${date}`, {
      reservationId: claim.holdId,
    });
  }
  if (reservation.status === 'released' || reservation.status === 'freed') {
    throw new DomainError('RESERVATION_ENDED', 'the hold was released', {
      reservationId: claim.holdId,
      status: reservation.status,
    });
  }
  if (reservation.status === 'confirmed') {
    throw new DomainError('HOLD_ALREADY_USED', 'the hold was already turned into a booking', {
      reservationId: claim.holdId,
    });
  }
  if (reservation.expiresAtMs <= now.getTime()) {
    throw new DomainError('HOLD_EXPIRED', 'the hold has expired', {
      reservationId: claim.holdId,
      expiresAt: reservation.expiresAt,
    });
  }
  return { reservation, date };
}

/**
 * The customer lets go of a hold they no longer want (back to the calendar): released at once
 * instead of at its expiry, so the slot is free for others. A hold that already carries a booking is
 * refused (`HOLD_ALREADY_USED`: cancel the booking instead); a hold already ended is a no-op.
 */
export async function releaseOwnHold(
  ctx: WriteSideContext,
  claim: HoldClaim,
  meta: CommandMeta,
): Promise<{ readonly holdId: string; readonly status: 'released' }> {
  const now = ctx.env.now();
  let reservation: Reservation;
  let date: string;
  try {
    ({ reservation, date } = await claimedHold(ctx, claim, now));
  } catch (error) {
    // Ended or run out: the outcome the customer asked for already holds (the timer releases it).
    if (
      error instanceof DomainError &&
      (error.code === 'RESERVATION_ENDED' || error.code === 'HOLD_EXPIRED')
    ) {
      return { holdId: claim.holdId, status: 'released' };
    }
    throw error;
  }
  const { state: booking } = await loadAggregate(
    ctx.env,
    bookingStream(reservation.bookingId),
    bookingDecider,
  );
  if (booking.status !== 'none') {
    throw new DomainError('HOLD_ALREADY_USED', 'the hold carries a booking: cancel the booking instead', {
      reservationId: reservation.reservationId,
    });
  }
  await executeCalendarCommand(
    ctx,
    {
      type: 'ReleaseHold',
      centreId: claim.centreId,
      date,
      reservationId: reservation.reservationId,
      bookingId: reservation.bookingId,
      reason: 'cancelled',
    },
    meta,
    'release-own-hold',
    { now },
  );
  return { holdId: claim.holdId, status: 'released' };
}
