import {
  type BookingPlaced,
  bookingStream,
  type Channel,
  type ControlType,
  isCentreId,
  isLocalDateTime,
  type PaymentMode,
} from '@pti/events';
import { executeCalendarCommand, prefetchCalendar } from '../calendar/calendar-execution.js';
import { loadCentreOf, termsOf } from '../centre/centre-loading.js';
import { type CommandMeta, requestIds } from '../commands/command-meta.js';
import { executeCommand } from '../commands/execute-command.js';
import { deriveCustomerId } from '../customer/customer-id.js';
import type { PlaceBooking } from '../domain/booking/booking-commands.js';
import { bookingDecider, decideBooking } from '../domain/booking/booking-decider.js';
import { appointmentDateAndTime } from '../domain/booking/booking-rules.js';
import { initialBookingState } from '../domain/booking/booking-state.js';
import type { CustomerInput, VehicleInput } from '../domain/booking/customer.js';
import { findReservation, type Reservation } from '../domain/calendar/calendar-state.js';
import { centreDayConfiguration } from '../domain/centre/centre-day-configuration.js';
import { durationMinutes } from '../domain/durations/duration-matrix.js';
import { DomainError } from '../domain/shared/domain-error.js';
import { addMinutesToInstant } from '../domain/shared/local-time.js';
import type { WriteSideContext } from '../write-side-context.js';
import {
  type BookingView,
  bookingContext,
  bookingView,
  heldReservation,
  manageTokenFor,
} from './booking-support.js';
import { claimedHold } from './hold-slot.js';

/**
 * Place a booking: two streams, the calendar first.
 *
 *   1. checks that append nothing: the centre, its day, the duration and price, and the whole booking
 *      decision rehearsed on a stand-in hold (customer, plate, SIRET, control applicability), so
 *      input the booking would refuse never leaves a hold behind;
 *   2. `HoldSlot` on `calendar-<centreId>-<date>` (the slot's concurrency lives in that one stream:
 *      a conflicting append re-reads and decides again, so two customers never get one inspector);
 *   3. `PlaceBooking` on `booking-<bookingId>` (a new stream) with the hold it obtained.
 *
 * Crash points:
 * - before 2: nothing was written.
 * - between 2 and 3: an orphan hold. Its `SlotHeld` names the booking id and `expiresAt`, which is
 *   all the hold timer (sagas issue, `resolveHold`) needs: at `expiresAt` it finds no booking for
 *   that id and releases the hold. Until then the slot is taken; from `expiresAt` on, every decision
 *   already counts the hold as free (`isLive`), even before the release is recorded. A retry of the
 *   same request (same Idempotency-Key) re-derives the same ids: the hold is recognised as its own
 *   and the booking is placed on it.
 * - after 3: done; a booking placed but never confirmed expires with its hold (`resolveHold`).
 *
 * On a hold taken beforehand (`input.hold`, from `POST /api/v1/holds`, see `hold-slot.ts`), step 2 is
 * replaced by checking the claim: the token is the hold's, the hold still runs and is not used. The
 * booking takes the hold's booking id, reservation and expiry (the countdown the customer saw), and
 * step 3 is the only append; a second placement on the same hold is refused (`HOLD_ALREADY_USED`).
 * Crash points are those of step 3 alone: a hold never turned into a booking is released at its
 * expiry by the hold timer, like any orphan hold.
 */

export interface PlaceBookingInput {
  readonly centreId: string;
  /** Local `YYYY-MM-DDTHH:MM` at the centre. */
  readonly start: string;
  readonly controlType: ControlType;
  readonly vehicle: VehicleInput;
  readonly customer: CustomerInput;
  readonly channel: Channel;
  readonly paymentMode: PaymentMode;
  /** The customer's or staff's choice of inspector; absent: the balancing rule picks. */
  readonly inspectorId?: string | null;
  /** The reference of the inspection a contre-visite follows (free within the centre's window). */
  readonly previousBookingReference?: string | null;
  /** A hold taken before the form (`POST /api/v1/holds`): its id (reservation id) and token. */
  readonly hold?: { readonly id: string; readonly token: string } | null;
}

export interface PlacedBooking extends BookingView {
  readonly manageToken: string;
  /** `null` for an overbooked reservation (an inspector is assigned when one frees). */
  readonly inspectorId: string | null;
  readonly overbooked: boolean;
  readonly customerId: string;
}

/** Stand-in customer id for the rehearsal (the real one derives from the normalised e-mail). */
const REHEARSAL_CUSTOMER_ID = '00000000-0000-4000-8000-000000000000';

export async function placeBooking(
  ctx: WriteSideContext,
  input: PlaceBookingInput,
  meta: CommandMeta,
): Promise<PlacedBooking> {
  const now = ctx.env.now();
  const tenantId = meta.origin.tenantId;
  const ids = requestIds(meta);
  if (!isLocalDateTime(input.start)) {
    throw new DomainError('INVALID_COMMAND', 'start is not an existing local YYYY-MM-DDTHH:MM', {
      field: 'start',
    });
  }
  const { date, time } = appointmentDateAndTime(input.start);
  // The calendar's read goes out with the centre's (one round trip waited for, not two).
  const calendarRead =
    (input.hold === undefined || input.hold === null) && isCentreId(input.centreId)
      ? prefetchCalendar(ctx, input.centreId, date)
      : undefined;
  const centre = await loadCentreOf(ctx, input.centreId, tenantId);
  const day = centreDayConfiguration(centre.state, date);
  const centres = { [input.centreId]: termsOf(centre.state) };
  const claimed =
    input.hold === undefined || input.hold === null
      ? undefined
      : await claimHoldFor(ctx, input, input.hold, time, now);
  const bookingId = claimed?.bookingId ?? ids.id('booking');
  const reservationId = claimed?.reservationId ?? ids.id('reservation');
  const minutes = durationMinutes(
    ctx.durationMatrix,
    input.controlType,
    input.vehicle.category,
    input.vehicle.fuel,
  );
  const vehicleProfile = { category: input.vehicle.category, fuel: input.vehicle.fuel };
  const command = (customerId: string, hold: PlaceBooking['hold']): PlaceBooking => ({
    type: 'PlaceBooking',
    bookingId,
    customerId,
    customer: input.customer,
    vehicle: input.vehicle,
    controlType: input.controlType,
    channel: input.channel,
    paymentMode: input.paymentMode,
    hold,
  });

  // 1. The booking decision rehearsed on the hold step 2 would produce: refusals happen here.
  // On a claimed hold, the real one: a vehicle or control other than the hold's is refused here.
  const rehearsal = decideBooking(
    command(
      REHEARSAL_CUSTOMER_ID,
      claimed === undefined
        ? {
            centreId: input.centreId,
            date,
            reservationId,
            bookingId,
            start: time,
            durationMinutes: minutes,
            controlType: input.controlType,
            vehicle: vehicleProfile,
            expiresAt: addMinutesToInstant(now, day.policy.holdMinutes).toISOString(),
          }
        : heldReservation(claimed, input.centreId, date),
    ),
    initialBookingState(),
    bookingContext(ctx, now, {
      centres,
      timeZone: centre.state.timeZone,
      randomBytes: (size) => new Uint8Array(size),
    }),
  );
  const placed = rehearsal[0]?.data as BookingPlaced | undefined;
  if (placed === undefined) throw new Error('the booking decider placed nothing');
  const customerId = deriveCustomerId(ctx.secrets.customerIdSecret, tenantId, placed.customer);
  const previousInspection =
    input.previousBookingReference === undefined || input.previousBookingReference === null
      ? null
      : await ctx.previousInspections.find(tenantId, input.previousBookingReference, placed.vehicle.plate);

  // 2. The hold (already taken on a claimed one).
  const reservation =
    claimed ??
    findReservation(
      (
        await executeCalendarCommand(
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
            vehicle: vehicleProfile,
            inspectorId: input.inspectorId ?? null,
          },
          meta,
          'hold',
          { now, day, preloaded: calendarRead },
        )
      ).state,
      reservationId,
    );
  if (!reservation) throw new Error(`hold ${reservationId} missing after HoldSlot`);

  // 3. The booking, on a new stream.
  const booking = await executeCommand(ctx.env, {
    stream: bookingStream(bookingId),
    decider: bookingDecider,
    command: command(customerId, heldReservation(reservation, input.centreId, date)),
    context: bookingContext(ctx, now, {
      centres,
      timeZone: centre.state.timeZone,
      previousInspection,
      randomBytes: ids.randomBytes('reference'),
    }),
    origin: meta.origin,
    eventId: ids.eventIds('place'),
    assumeNew: true,
  }).catch((error: unknown) => {
    // Another placement (another Idempotency-Key) got there first: the hold is used.
    if (claimed !== undefined && error instanceof DomainError && error.code === 'BOOKING_ALREADY_EXISTS') {
      throw new DomainError('HOLD_ALREADY_USED', 'the hold was already turned into a booking', {
        reservationId,
      });
    }
    throw error;
  });
  if (booking.state.status === 'none') throw new Error(`booking ${bookingId} missing after PlaceBooking`);
  ctx.bookingTenants.remember(bookingId, tenantId);
  return {
    ...bookingView(booking.state),
    manageToken: manageTokenFor(ctx, bookingId, now),
    inspectorId: reservation.inspectorId,
    overbooked: reservation.overbooked,
    customerId,
  };
}

/**
 * The hold a placement claims, checked (`claimedHold`: token, still running, unused) and matched with
 * the request: the same start; an inspector named must be the hold's.
 */
async function claimHoldFor(
  ctx: WriteSideContext,
  input: PlaceBookingInput,
  hold: { readonly id: string; readonly token: string },
  time: string,
  now: Date,
): Promise<Reservation> {
  const { reservation } = await claimedHold(
    ctx,
    { holdId: hold.id, holdToken: hold.token, centreId: input.centreId, start: input.start },
    now,
  );
  const mismatch =
    reservation.start !== time
      ? 'start'
      : input.inspectorId !== undefined &&
          input.inspectorId !== null &&
          input.inspectorId !== reservation.inspectorId
        ? 'inspectorId'
        : undefined;
  if (mismatch !== undefined) {
    throw new DomainError('INVALID_COMMAND', `the hold differs from the booking (${mismatch})`, {
      reservationId: hold.id,
      field: mismatch,
      reason: 'HOLD_MISMATCH',
    });
  }
  return reservation;
}
