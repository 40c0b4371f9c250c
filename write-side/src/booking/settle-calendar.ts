import type { HoldReleaseReason, ReservationFreeReason } from '@pti/events';
import { executeCalendarCommand, loadCalendar } from '../calendar/calendar-execution.js';
import type { CommandMeta } from '../commands/command-meta.js';
import type { Booking } from '../domain/booking/booking-state.js';
import { findReservation } from '../domain/calendar/calendar-state.js';
import { isDomainError } from '../domain/shared/domain-error.js';
import type { WriteSideContext } from '../write-side-context.js';

/**
 * The second half of every multi-stream booking command: bring the calendar in line with what the
 * booking stream says. The booking is the decision (appended first); the calendar follows. This is
 * idempotent (each step is decided on the calendar's current state and is a no-op once done), so it
 * is also the recovery: a retried request, or a subscriber of the booking events, runs it again and
 * finishes what a crash interrupted.
 *
 * | booking says                                  | its reservation should be                  |
 * | --------------------------------------------- | ------------------------------------------ |
 * | placed                                        | held (nothing to do)                       |
 * | confirmed, checked in, completed              | confirmed (`ConfirmHold`)                  |
 * | cancelled                                     | ended (`ReleaseHold` / `FreeReservation`)  |
 * | expired                                       | released (`ReleaseHold`, reason expired)   |
 * | no-show                                       | freed (`FreeReservation`, reason no_show)  |
 * | a previous appointment (rescheduled away)     | ended, reason rescheduled                  |
 */

export interface SettleOutcome {
  /** Reservations the booking needs confirmed but the calendar had already released (see below). */
  readonly lost: readonly string[];
}

type Target =
  | { readonly kind: 'confirmed' }
  | { readonly kind: 'ended'; readonly release: HoldReleaseReason; readonly free: ReservationFreeReason };

function targetOf(booking: Booking): Target | null {
  switch (booking.status) {
    case 'placed':
      return null;
    case 'confirmed':
    case 'checked_in':
    case 'completed':
      return { kind: 'confirmed' };
    case 'cancelled':
      return { kind: 'ended', release: 'cancelled', free: 'cancelled' };
    case 'expired':
      return { kind: 'ended', release: 'expired', free: 'cancelled' };
    case 'no_show':
      return { kind: 'ended', release: 'expired', free: 'no_show' };
  }
}

const RESCHEDULED: Target = { kind: 'ended', release: 'rescheduled', free: 'rescheduled' };

interface Appointment {
  readonly centreId: string;
  readonly reservationId: string;
  readonly start: string;
}

/**
 * Settles the booking's current appointment, then its previous ones (a booking is rarely moved more
 * than once, so this is usually one calendar read). A reservation the booking needs confirmed but
 * that the calendar released meanwhile (the hold expired and its time was taken before the
 * confirmation reached the calendar) cannot be recovered here: it is reported in `lost`, for staff.
 */
export async function settleCalendar(
  ctx: WriteSideContext,
  booking: Booking,
  meta: CommandMeta,
  now: Date = ctx.env.now(),
): Promise<SettleOutcome> {
  const lost: string[] = [];
  const current = targetOf(booking);
  if (current) await settleOne(ctx, booking, booking, current, meta, now, 'settle', lost);
  for (const [index, previous] of booking.previousAppointments.entries()) {
    await settleOne(ctx, booking, previous, RESCHEDULED, meta, now, `settle-previous-${index}`, lost);
  }
  return { lost };
}

async function settleOne(
  ctx: WriteSideContext,
  booking: Booking,
  appointment: Appointment,
  target: Target,
  meta: CommandMeta,
  now: Date,
  step: string,
  lost: string[],
): Promise<void> {
  const date = appointment.start.slice(0, 10);
  const { centreId, reservationId } = appointment;
  const { state } = await loadCalendar(ctx, centreId, date);
  const reservation = findReservation(state, reservationId);
  if (!reservation || reservation.bookingId !== booking.bookingId) return;
  const day = { centreId, date, reservationId, bookingId: booking.bookingId };
  if (target.kind === 'confirmed') {
    if (reservation.status === 'confirmed') return;
    if (reservation.status !== 'held') {
      lost.push(reservationId);
      return;
    }
    try {
      await executeCalendarCommand(ctx, { type: 'ConfirmHold', ...day }, meta, `${step}-confirm`, { now });
    } catch (error) {
      if (!(isDomainError(error) && error.code === 'HOLD_EXPIRED')) throw error;
      lost.push(reservationId);
    }
    return;
  }
  if (reservation.status === 'held') {
    await executeCalendarCommand(
      ctx,
      { type: 'ReleaseHold', ...day, reason: target.release },
      meta,
      `${step}-release`,
      {
        now,
      },
    );
  } else if (reservation.status === 'confirmed') {
    await executeCalendarCommand(
      ctx,
      { type: 'FreeReservation', ...day, reason: target.free },
      meta,
      `${step}-free`,
      {
        now,
      },
    );
  }
}
