import {
  type BookingEvent,
  type BookingEventType,
  type ControlType,
  type DomainEventData,
  type DomainEventOf,
  type Fuel,
  isEntityId,
  type VehicleCategory,
} from '@pti/events';
import { durationMinutes } from '../durations/index.js';
import { quotePrice } from '../pricing/index.js';
import { checkedEvent, type Decider, DomainError, instantToLocal } from '../shared/index.js';
import type {
  AddBookingNote,
  BookingCommand,
  BookingContext,
  CancelBooking,
  CentreTerms,
  CheckInBooking,
  ConfirmBooking,
  ExpireBooking,
  HeldReservation,
  PlaceBooking,
  RecordNoShow,
  RecordPaymentFailed,
  RecordPaymentSucceeded,
  RecordResult,
  RequestPayment,
  RescheduleBooking,
} from './booking-commands.js';
import { type BookingRefusal, bookingRefusal } from './booking-errors.js';
import { generateBookingReference } from './booking-reference.js';
import {
  appointmentDateAndTime,
  appointmentStartInstant,
  contreVisiteDueBy,
  isBeforeCutoff,
} from './booking-rules.js';
import {
  type Booking,
  type BookingState,
  type BookingStatus,
  evolveBooking,
  initialBookingState,
  type PaymentRecord,
} from './booking-state.js';
import { normaliseCustomer, normaliseFreeText, normaliseVehicle } from './customer.js';

/**
 * The Booking decider (DESIGN.md §5). `decide` validates a command against the booking's state and
 * the context the handler loaded (time, centre terms, duration matrix, previous inspection,
 * randomness) and returns the events; it never touches another stream. Multi-stream commands are
 * orchestrated by the handler around it:
 *
 * - **place**: hold the slot in `calendar-<centre>-<day>` (SlotHeld), then `PlaceBooking` with that
 *   hold. If the process dies between the two appends, the orphan hold expires by the hold timer.
 * - **reschedule**: hold the new slot first, then `RescheduleBooking` with it; only once
 *   BookingRescheduled is appended is the old reservation freed and the new hold confirmed (a
 *   subscriber of BookingRescheduled finishes both if the process dies in between). If the new hold
 *   fails, or this decider refuses, nothing is appended here: the booking keeps its old appointment
 *   and the handler releases the new hold.
 */

// ---------------------------------------------------------------------------------------------
// Refusals by status
// ---------------------------------------------------------------------------------------------

const STATUS_REFUSAL: Readonly<Record<BookingStatus, BookingRefusal>> = {
  placed: 'NOT_CONFIRMED',
  confirmed: 'ALREADY_CONFIRMED',
  checked_in: 'ALREADY_CHECKED_IN',
  completed: 'BOOKING_COMPLETED',
  cancelled: 'BOOKING_CANCELLED',
  expired: 'BOOKING_EXPIRED',
  no_show: 'BOOKING_NO_SHOW',
};

function existing(state: BookingState, bookingId: string): Booking {
  if (state.status === 'none')
    throw bookingRefusal('BOOKING_NOT_FOUND', 'the booking does not exist', { bookingId });
  return state;
}

/** Refuses unless the booking is in one of `allowed`; `overrides` names the refusal of some statuses. */
function requireStatus(
  booking: Booking,
  command: BookingCommand['type'],
  allowed: readonly BookingStatus[],
  overrides: Partial<Record<BookingStatus, BookingRefusal>> = {},
): void {
  if (allowed.includes(booking.status)) return;
  const reason = overrides[booking.status] ?? STATUS_REFUSAL[booking.status];
  throw bookingRefusal(reason, `${command} is not allowed on a ${booking.status} booking`, {
    bookingId: booking.bookingId,
    status: booking.status,
  });
}

function termsOf(context: BookingContext, centreId: string): CentreTerms {
  const terms = context.centres[centreId];
  if (terms === undefined)
    throw bookingRefusal('CENTRE_UNKNOWN', 'the terms of the centre were not supplied', { centreId });
  return terms;
}

function requireEntityId(field: string, value: string): void {
  if (!isEntityId(value)) throw bookingRefusal('INVALID_INPUT', `${field} is not a valid id`, { field });
}

const now = (context: BookingContext): number => context.now.getTime();

/**
 * The shared helpers (plates, SIRET, contact fields, matrix, price list) throw plain domain errors:
 * they keep their code and gain the booking refusal's `details.reason`, like every other refusal.
 */
function asRefusal<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof DomainError && error.details.reason === undefined) {
      const reason = error.code === 'INVALID_COMMAND' ? 'INVALID_INPUT' : error.code;
      throw new DomainError(error.code, error.message, { ...error.details, reason });
    }
    throw error;
  }
}

/**
 * Every event leaves through the contract's schema check (`checkedEvent`): a command field that
 * slipped past the checks above is refused as `INVALID_COMMAND`, never appended.
 */
function emit<K extends BookingEventType>(type: K, data: DomainEventData<K>): DomainEventOf<K> {
  return asRefusal(() => checkedEvent(type, data));
}

// ---------------------------------------------------------------------------------------------
// Holds
// ---------------------------------------------------------------------------------------------

interface Booked {
  readonly controlType: ControlType;
  readonly category: VehicleCategory;
  readonly fuel: Fuel;
  readonly durationMinutes: number;
}

/** The first field in which a hold differs from what is booked, if any. */
function holdMismatch(hold: HeldReservation, bookingId: string, booked: Booked): string | undefined {
  if (hold.bookingId !== bookingId) return 'bookingId';
  if (hold.controlType !== booked.controlType) return 'controlType';
  if (hold.vehicle.category !== booked.category || hold.vehicle.fuel !== booked.fuel) return 'vehicle';
  if (hold.durationMinutes !== booked.durationMinutes) return 'durationMinutes';
  return undefined;
}

function checkHold(hold: HeldReservation, bookingId: string, booked: Booked, context: BookingContext): void {
  const mismatch = holdMismatch(hold, bookingId, booked);
  if (mismatch !== undefined) {
    throw bookingRefusal('HOLD_MISMATCH', `the held reservation differs from the booking (${mismatch})`, {
      reservationId: hold.reservationId,
      field: mismatch,
    });
  }
  if (Date.parse(hold.expiresAt) <= now(context)) {
    throw bookingRefusal('HOLD_EXPIRED', 'the held reservation has expired', {
      reservationId: hold.reservationId,
      expiresAt: hold.expiresAt,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

function place(command: PlaceBooking, state: BookingState, context: BookingContext): BookingEvent[] {
  if (state.status !== 'none') {
    throw bookingRefusal('BOOKING_ALREADY_EXISTS', 'a booking with this id already exists', {
      bookingId: command.bookingId,
    });
  }
  requireEntityId('bookingId', command.bookingId);
  requireEntityId('customerId', command.customerId);
  const customer = asRefusal(() => normaliseCustomer(command.customer));
  const vehicle = asRefusal(() => normaliseVehicle(command.vehicle));
  const { hold } = command;
  const minutes = asRefusal(() =>
    durationMinutes(context.durationMatrix, command.controlType, vehicle.category, vehicle.fuel),
  );
  checkHold(
    hold,
    command.bookingId,
    {
      controlType: command.controlType,
      category: vehicle.category,
      fuel: vehicle.fuel,
      durationMinutes: minutes,
    },
    context,
  );
  const terms = termsOf(context, hold.centreId);
  const quote = asRefusal(() =>
    quotePrice(
      {
        controlType: command.controlType,
        category: vehicle.category,
        fuel: vehicle.fuel,
        plate: vehicle.plate,
        date: hold.date,
      },
      terms,
      context.previousInspection,
    ),
  );
  return [
    emit('BookingPlaced', {
      bookingId: command.bookingId,
      reference: generateBookingReference(context.randomBytes),
      customerId: command.customerId,
      customer,
      vehicle,
      controlType: command.controlType,
      centreId: hold.centreId,
      reservationId: hold.reservationId,
      start: `${hold.date}T${hold.start}`,
      durationMinutes: minutes,
      priceCents: quote.priceCents,
      channel: command.channel,
      paymentMode: command.paymentMode,
      holdExpiresAt: hold.expiresAt,
    }),
  ];
}

function holdRunning(booking: Booking, context: BookingContext): boolean {
  return now(context) < Date.parse(booking.holdExpiresAt);
}

function requireHoldRunning(booking: Booking, context: BookingContext): void {
  if (!holdRunning(booking, context)) {
    throw bookingRefusal('HOLD_EXPIRED', 'the hold of the booking has expired', {
      bookingId: booking.bookingId,
      holdExpiresAt: booking.holdExpiresAt,
    });
  }
}

function requestPayment(command: RequestPayment, booking: Booking, context: BookingContext): BookingEvent[] {
  if (booking.payments.some((payment) => payment.paymentId === command.paymentId)) return [];
  requireEntityId('paymentId', command.paymentId);
  requireStatus(booking, command.type, ['placed'], {
    checked_in: 'ALREADY_CONFIRMED',
    completed: 'ALREADY_CONFIRMED',
  });
  requireHoldRunning(booking, context);
  const amountCents = booking.priceCents - booking.paidCents;
  if (amountCents <= 0) {
    throw bookingRefusal('NOTHING_TO_PAY', 'nothing is left to pay: confirm the booking instead', {
      bookingId: booking.bookingId,
    });
  }
  return [
    emit('PaymentRequested', {
      bookingId: booking.bookingId,
      paymentId: command.paymentId,
      provider: command.provider,
      amountCents,
      currency: 'EUR',
    }),
  ];
}

function knownPayment(booking: Booking, paymentId: string, provider: string): PaymentRecord {
  const payment = booking.payments.find((candidate) => candidate.paymentId === paymentId);
  if (payment === undefined) {
    throw bookingRefusal('UNKNOWN_PAYMENT', 'no such payment was requested for this booking', { paymentId });
  }
  if (payment.provider !== provider) {
    throw bookingRefusal('PAYMENT_MISMATCH', 'the payment was requested from another provider', {
      paymentId,
      field: 'provider',
    });
  }
  return payment;
}

function requireTransactionId(value: string): void {
  if (value.length === 0 || value.length > 100) {
    throw bookingRefusal('INVALID_INPUT', 'providerTransactionId must be 1 to 100 characters', {
      field: 'providerTransactionId',
    });
  }
}

/**
 * A payment's success is a fact from the provider: it is recorded whatever the booking's status.
 * It confirms the booking only while the booking is placed and its hold still runs; otherwise (hold
 * expired, booking cancelled, already confirmed) the money is held without a slot and the payment
 * saga refunds it, seeing a PaymentSucceeded that no BookingConfirmed followed.
 */
function recordPaymentSucceeded(
  command: RecordPaymentSucceeded,
  booking: Booking,
  context: BookingContext,
): BookingEvent[] {
  const payment = knownPayment(booking, command.paymentId, command.provider);
  if (payment.status === 'succeeded') return [];
  requireTransactionId(command.providerTransactionId);
  if (payment.amountCents !== command.amountCents) {
    throw bookingRefusal('PAYMENT_MISMATCH', 'the amount paid differs from the amount requested', {
      paymentId: command.paymentId,
      field: 'amountCents',
    });
  }
  const events: BookingEvent[] = [
    emit('PaymentSucceeded', {
      bookingId: booking.bookingId,
      paymentId: command.paymentId,
      provider: command.provider,
      amountCents: command.amountCents,
      currency: 'EUR',
      providerTransactionId: command.providerTransactionId,
    }),
  ];
  const covered = booking.paidCents + command.amountCents >= booking.priceCents;
  if (booking.status === 'placed' && holdRunning(booking, context) && covered) {
    events.push(emit('BookingConfirmed', { bookingId: booking.bookingId, paymentMode: 'online' }));
  }
  return events;
}

/** A failure after a success (or a repeated one) is stale news from the provider: ignored. */
function recordPaymentFailed(command: RecordPaymentFailed, booking: Booking): BookingEvent[] {
  const payment = knownPayment(booking, command.paymentId, command.provider);
  if (payment.status !== 'requested') return [];
  if (command.providerTransactionId !== null) requireTransactionId(command.providerTransactionId);
  return [
    emit('PaymentFailed', {
      bookingId: booking.bookingId,
      paymentId: command.paymentId,
      provider: command.provider,
      reason: command.reason,
      providerTransactionId: command.providerTransactionId,
    }),
  ];
}

function confirm(command: ConfirmBooking, booking: Booking, context: BookingContext): BookingEvent[] {
  requireStatus(booking, command.type, ['placed'], {
    checked_in: 'ALREADY_CONFIRMED',
    completed: 'ALREADY_CONFIRMED',
  });
  requireHoldRunning(booking, context);
  if (command.paymentMode === 'online' && booking.paidCents < booking.priceCents) {
    throw bookingRefusal(
      'PAYMENT_REQUIRED',
      'the price is not paid yet: wait for the payment or pay on site',
      {
        bookingId: booking.bookingId,
        priceCents: booking.priceCents,
        paidCents: booking.paidCents,
      },
    );
  }
  return [emit('BookingConfirmed', { bookingId: booking.bookingId, paymentMode: command.paymentMode })];
}

/**
 * Refund eligibility of a cancellation: something was paid, and either the cut-off had not passed
 * or the cancellation is not the customer's doing (the centre closed, no inspector, a duplicate...).
 */
function refundEligible(booking: Booking, command: CancelBooking, beforeCutoff: boolean): boolean {
  if (booking.paidCents <= 0) return false;
  return beforeCutoff || (command.by !== 'customer' && command.reason !== 'customer_request');
}

function cancel(command: CancelBooking, booking: Booking, context: BookingContext): BookingEvent[] {
  requireStatus(booking, command.type, ['placed', 'confirmed']);
  const comment =
    command.comment === null || command.comment.trim() === ''
      ? null
      : asRefusal(() => normaliseFreeText('comment', command.comment ?? '', 1000));
  // A placed booking is an unfinished checkout: dropping it is always free and refunds nothing due.
  let beforeCutoff = true;
  if (booking.status === 'confirmed') {
    const terms = termsOf(context, booking.centreId);
    beforeCutoff = isBeforeCutoff(
      booking.start,
      terms.cancellationCutoffHours,
      context.now,
      context.timeZone,
    );
    if (command.by === 'customer' && !beforeCutoff) {
      throw bookingRefusal('TOO_LATE_TO_CANCEL', 'the cancellation cut-off has passed: contact the centre', {
        bookingId: booking.bookingId,
        cutoffHours: terms.cancellationCutoffHours,
      });
    }
  }
  return [
    emit('BookingCancelled', {
      bookingId: booking.bookingId,
      cancelledBy: command.by,
      reason: command.reason,
      comment,
      refundEligible: refundEligible(booking, command, beforeCutoff),
    }),
  ];
}

/**
 * Moves a confirmed booking to a reservation already held for it. A customer may do it only before
 * the cut-off of the current appointment (staff at any time before check-in). The price is kept
 * when the centre stays the same; at another centre it is that centre's price, free contre-visite
 * rule included. A placed booking is not moved: its checkout is abandoned and a new one placed.
 */
function reschedule(command: RescheduleBooking, booking: Booking, context: BookingContext): BookingEvent[] {
  requireStatus(booking, command.type, ['confirmed']);
  const { hold } = command;
  if (hold.reservationId === booking.reservationId) {
    throw bookingRefusal('SAME_RESERVATION', 'the booking already has this reservation', {
      reservationId: hold.reservationId,
    });
  }
  if (command.by === 'customer') {
    const terms = termsOf(context, booking.centreId);
    if (!isBeforeCutoff(booking.start, terms.cancellationCutoffHours, context.now, context.timeZone)) {
      throw bookingRefusal(
        'TOO_LATE_TO_RESCHEDULE',
        'the cut-off has passed: contact the centre to move the booking',
        {
          bookingId: booking.bookingId,
          cutoffHours: terms.cancellationCutoffHours,
        },
      );
    }
  }
  const { vehicle } = booking;
  const minutes = asRefusal(() =>
    durationMinutes(context.durationMatrix, booking.controlType, vehicle.category, vehicle.fuel),
  );
  checkHold(
    hold,
    booking.bookingId,
    {
      controlType: booking.controlType,
      category: vehicle.category,
      fuel: vehicle.fuel,
      durationMinutes: minutes,
    },
    context,
  );
  const priceCents =
    hold.centreId === booking.centreId
      ? booking.priceCents
      : asRefusal(
          () =>
            quotePrice(
              {
                controlType: booking.controlType,
                category: vehicle.category,
                fuel: vehicle.fuel,
                plate: vehicle.plate,
                date: hold.date,
              },
              termsOf(context, hold.centreId),
              context.previousInspection,
            ).priceCents,
        );
  return [
    emit('BookingRescheduled', {
      bookingId: booking.bookingId,
      from: { centreId: booking.centreId, reservationId: booking.reservationId, start: booking.start },
      to: {
        centreId: hold.centreId,
        reservationId: hold.reservationId,
        start: `${hold.date}T${hold.start}`,
      },
      durationMinutes: minutes,
      priceCents,
    }),
  ];
}

/** Check-in happens on the appointment's local day (earlier is a mistake, later a no-show). */
function checkIn(command: CheckInBooking, booking: Booking, context: BookingContext): BookingEvent[] {
  requireStatus(booking, command.type, ['confirmed'], { completed: 'ALREADY_CHECKED_IN' });
  if (command.inspectorId !== null) requireEntityId('inspectorId', command.inspectorId);
  const today = instantToLocal(context.now, context.timeZone).date;
  const { date } = appointmentDateAndTime(booking.start);
  if (today !== date) {
    const reason = today < date ? 'TOO_EARLY_TO_CHECK_IN' : 'CHECK_IN_DAY_PASSED';
    throw bookingRefusal(reason, `check-in is open on ${date} only`, { bookingId: booking.bookingId, date });
  }
  return [emit('BookingCheckedIn', { bookingId: booking.bookingId, inspectorId: command.inspectorId })];
}

function recordResult(command: RecordResult, booking: Booking): BookingEvent[] {
  requireStatus(booking, command.type, ['checked_in'], {
    placed: 'NOT_CHECKED_IN',
    confirmed: 'NOT_CHECKED_IN',
  });
  const inspectorId = command.inspectorId ?? booking.inspectorId;
  if (inspectorId === null) {
    throw bookingRefusal('INSPECTOR_REQUIRED', 'name the inspector who did the control', {
      bookingId: booking.bookingId,
    });
  }
  requireEntityId('inspectorId', inspectorId);
  const { date } = appointmentDateAndTime(booking.start);
  return [
    emit('BookingCompleted', {
      bookingId: booking.bookingId,
      inspectorId,
      result: command.result,
      contreVisiteDueBy: contreVisiteDueBy(booking.controlType, command.result, date),
    }),
  ];
}

function recordNoShow(command: RecordNoShow, booking: Booking, context: BookingContext): BookingEvent[] {
  requireStatus(booking, command.type, ['confirmed'], { completed: 'ALREADY_CHECKED_IN' });
  if (now(context) < appointmentStartInstant(booking.start, context.timeZone).getTime()) {
    throw bookingRefusal('TOO_EARLY_FOR_NO_SHOW', 'the appointment has not started yet', {
      bookingId: booking.bookingId,
      start: booking.start,
    });
  }
  return [emit('BookingNoShow', { bookingId: booking.bookingId })];
}

/**
 * The hold ends unconfirmed: at `holdExpiresAt`, or earlier once the last payment attempt failed and
 * none is pending (DESIGN.md §7: a failed payment releases the slot; the saga decides when). Asking
 * again once expired is a no-op, so a timer that fires twice is harmless.
 */
function expire(command: ExpireBooking, booking: Booking, context: BookingContext): BookingEvent[] {
  if (booking.status === 'expired') return [];
  requireStatus(booking, command.type, ['placed'], {
    checked_in: 'ALREADY_CONFIRMED',
    completed: 'ALREADY_CONFIRMED',
  });
  const last = booking.payments.at(-1);
  const paymentFailed = last?.status === 'failed' && !booking.payments.some((p) => p.status === 'requested');
  if (holdRunning(booking, context) && !paymentFailed) {
    throw bookingRefusal('HOLD_NOT_EXPIRED', 'the hold still runs', {
      bookingId: booking.bookingId,
      holdExpiresAt: booking.holdExpiresAt,
    });
  }
  return [emit('BookingExpired', { bookingId: booking.bookingId })];
}

/** Staff notes are allowed in every status (a note on a no-show is useful); a repeated id is a no-op. */
function addNote(command: AddBookingNote, booking: Booking): BookingEvent[] {
  if (booking.noteIds.includes(command.noteId)) return [];
  requireEntityId('noteId', command.noteId);
  return [
    emit('BookingNoteAdded', {
      bookingId: booking.bookingId,
      noteId: command.noteId,
      text: asRefusal(() => normaliseFreeText('text', command.text, 2000)),
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// The decider
// ---------------------------------------------------------------------------------------------

export function decideBooking(
  command: BookingCommand,
  state: BookingState,
  context: BookingContext,
): readonly BookingEvent[] {
  if (command.type === 'PlaceBooking') return place(command, state, context);
  const booking = existing(state, command.bookingId);
  if (booking.bookingId !== command.bookingId) {
    // The handler loaded another stream than the command names: a programming error, not a refusal.
    throw new Error(`command for booking ${command.bookingId} decided on booking ${booking.bookingId}`);
  }
  switch (command.type) {
    case 'RequestPayment':
      return requestPayment(command, booking, context);
    case 'RecordPaymentSucceeded':
      return recordPaymentSucceeded(command, booking, context);
    case 'RecordPaymentFailed':
      return recordPaymentFailed(command, booking);
    case 'ConfirmBooking':
      return confirm(command, booking, context);
    case 'CancelBooking':
      return cancel(command, booking, context);
    case 'RescheduleBooking':
      return reschedule(command, booking, context);
    case 'CheckInBooking':
      return checkIn(command, booking, context);
    case 'RecordResult':
      return recordResult(command, booking);
    case 'RecordNoShow':
      return recordNoShow(command, booking, context);
    case 'ExpireBooking':
      return expire(command, booking, context);
    case 'AddBookingNote':
      return addNote(command, booking);
  }
}

export const bookingDecider: Decider<BookingCommand, BookingState, BookingEvent, BookingContext> = {
  initialState: initialBookingState,
  decide: decideBooking,
  evolve: evolveBooking,
};
