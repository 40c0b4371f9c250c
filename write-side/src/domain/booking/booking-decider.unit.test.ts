import { type BookingEvent, eventSamples, validateEvent } from '@pti/events';
import { describe, expect, it } from 'vitest';
import type { PreviousInspection } from '../pricing/index.js';
import type { DomainError, DomainErrorCode } from '../shared/index.js';
import { spec } from '../shared/testing/decider-spec.js';
import type { BookingCommand, BookingContext } from './booking-commands.js';
import { bookingDecider } from './booking-decider.js';
import type { BookingRefusal } from './booking-errors.js';
import type { Booking, BookingState } from './booking-state.js';
import {
  at,
  cancelled,
  checkedIn,
  completed,
  confirmedOnline,
  confirmedOnSite,
  confirmedToPayOnSite,
  context,
  expired,
  fixedRandom,
  hold,
  ids,
  newHold,
  noShow,
  otherCentreTerms,
  paidAndConfirmed,
  paymentFailed,
  paymentRequested,
  paymentSucceeded,
  placeCommand,
  placed,
  placedWith,
  rescheduleCommand,
  rescheduled,
} from './testing/booking-fixtures.js';

/**
 * Given/when/then specifications of the Booking decider. The sample story (contract samples): a
 * CTP for a diesel car at the Lyon centre, Friday 14 March 2025 at 09:30 (08:30Z, CET), placed on
 * Monday 10 March at 08:00Z with a hold until 08:15Z; 24 h cut-off (Thursday 13 March 08:30Z).
 */

const booking = spec(bookingDecider);
const { bookingId } = ids;

const CUTOFF = '2025-03-13T08:30:00.000Z';
const JUST_BEFORE_CUTOFF = '2025-03-13T08:29:59.999Z';
const START = '2025-03-14T08:30:00.000Z';

function when(given: readonly BookingEvent[], command: BookingCommand, ctx: BookingContext = context()) {
  return booking.given(given).when(command, ctx);
}

/** The command is refused with this public code and this booking refusal (`details.reason`). */
function refused(
  given: readonly BookingEvent[],
  command: BookingCommand,
  ctx: BookingContext,
  code: DomainErrorCode,
  reason: BookingRefusal,
): DomainError {
  const error = when(given, command, ctx).thenFails(code);
  expect(error.details.reason).toBe(reason);
  return error;
}

function stateAfter(events: readonly BookingEvent[]): Booking {
  const state: BookingState = events.reduce(bookingDecider.evolve, bookingDecider.initialState());
  if (state.status === 'none') throw new Error('no booking');
  return state;
}

function expectValid(events: readonly BookingEvent[]): void {
  for (const event of events) {
    const result = validateEvent(event.type, event.data);
    expect(result.ok ? [] : result.errors).toEqual([]);
  }
}

const confirm = (paymentMode: 'online' | 'on_site'): BookingCommand => ({
  type: 'ConfirmBooking',
  bookingId,
  paymentMode,
});
const cancelBy = (
  by: 'customer' | 'call_centre' | 'centre' | 'system',
  reason:
    | 'customer_request'
    | 'centre_closure'
    | 'inspector_unavailable'
    | 'duplicate'
    | 'other' = 'customer_request',
  comment: string | null = null,
): BookingCommand => ({ type: 'CancelBooking', bookingId, by, reason, comment });
const checkIn: BookingCommand = { type: 'CheckInBooking', bookingId, inspectorId: ids.inspectorId };
const result = (value: 'A' | 'S' | 'R', inspectorId: string | null = null): BookingCommand => ({
  type: 'RecordResult',
  bookingId,
  result: value,
  inspectorId,
});
const recordNoShow: BookingCommand = { type: 'RecordNoShow', bookingId };
const expire: BookingCommand = { type: 'ExpireBooking', bookingId };
const requestPayment: BookingCommand = {
  type: 'RequestPayment',
  bookingId,
  paymentId: ids.paymentId,
  provider: 'payzen',
};
const paymentSuccess: BookingCommand = {
  type: 'RecordPaymentSucceeded',
  bookingId,
  paymentId: ids.paymentId,
  provider: 'payzen',
  amountCents: 7800,
  providerTransactionId: eventSamples.PaymentSucceeded.providerTransactionId,
};
const paymentFailure: BookingCommand = {
  type: 'RecordPaymentFailed',
  bookingId,
  paymentId: ids.paymentId,
  provider: 'payzen',
  reason: 'declined',
  providerTransactionId: eventSamples.PaymentFailed.providerTransactionId,
};

const previousS: PreviousInspection = {
  bookingId: 'previous-ctp',
  centreId: ids.otherCentreId,
  controlType: 'CTP',
  result: 'S',
  date: '2025-03-04',
  plate: 'AB-123-CD',
};

// ---------------------------------------------------------------------------------------------

describe('place', () => {
  it('normalises what the customer typed and reproduces the contract sample exactly', () => {
    when([], placeCommand()).then([placed]);
    expectValid([placed]);
  });

  it('starts in status placed, holding its reservation', () => {
    const state = stateAfter([placed]);
    expect(state).toMatchObject({
      status: 'placed',
      reference: 'K7M4-QX2P',
      reservationId: ids.reservationId,
      start: '2025-03-14T09:30',
      priceCents: 7800,
      paidCents: 0,
      checkedIn: false,
    });
  });

  it('draws the reference from the injected randomness', () => {
    when([], placeCommand(), context({ randomBytes: fixedRandom(Uint8Array.of(0, 0, 0, 0, 0)) })).thenMatches(
      (events) => expect(events[0]?.data).toMatchObject({ reference: 'AAAA-AAAA' }),
    );
  });

  it('books a company with a valid SIRET', () => {
    const command = placeCommand({
      customer: {
        kind: 'company',
        name: 'Transports Rhône',
        siret: '732 829 320 00074',
        contactName: 'Julie Roche',
        email: 'flotte@transports-rhone.fr',
        phone: '+33 4 78 60 12 34',
      },
      channel: 'backoffice',
    });
    when([], command).thenMatches((events) => {
      expectValid(events);
      expect(events[0]?.data).toMatchObject({
        customer: {
          kind: 'company',
          siret: '73282932000074',
          contactName: 'Julie Roche',
          phone: '+33478601234',
          address: null,
        },
        channel: 'backoffice',
      });
    });
  });

  it('refuses a SIRET failing Luhn, a bad plate, a bad phone', () => {
    refused(
      [],
      placeCommand({
        customer: {
          kind: 'company',
          name: 'X',
          siret: '73282932000075',
          email: 'x@x.fr',
          phone: '0478601234',
        },
      }),
      context(),
      'INVALID_SIRET',
      'INVALID_SIRET',
    );
    refused(
      [],
      placeCommand({ vehicle: { plate: 'AB-123-SS', category: 'VP', fuel: 'Diesel' } }),
      context(),
      'INVALID_PLATE',
      'INVALID_PLATE',
    );
    const error = refused(
      [],
      placeCommand({ customer: { kind: 'private', name: 'Camille', email: 'c@example.fr', phone: '12' } }),
      context(),
      'INVALID_COMMAND',
      'INVALID_INPUT',
    );
    expect(error.details.field).toBe('phone');
  });

  it('takes duration and price from the matrix and the list: a Gaz car is 60 min and 93 €', () => {
    const gaz = { category: 'VP' as const, fuel: 'Gaz' as const };
    when(
      [],
      placeCommand({
        vehicle: { plate: 'AB-123-CD', ...gaz },
        hold: hold({ durationMinutes: 60, vehicle: gaz }),
      }),
    ).thenMatches((events) =>
      expect(events[0]?.data).toMatchObject({ durationMinutes: 60, priceCents: 9300 }),
    );
  });

  it('refuses a control that does not apply to the vehicle (CTC for a motorcycle, or an electric van)', () => {
    refused(
      [],
      placeCommand({
        controlType: 'CTC',
        vehicle: { plate: 'AB-123-CD', category: 'Moto', fuel: 'Essence' },
        hold: hold({
          controlType: 'CTC',
          vehicle: { category: 'Moto', fuel: 'Essence' },
          durationMinutes: 20,
        }),
      }),
      context(),
      'CONTROL_NOT_APPLICABLE',
      'CONTROL_NOT_APPLICABLE',
    );
    refused(
      [],
      placeCommand({
        controlType: 'CTC',
        vehicle: { plate: 'AB-123-CD', category: 'VU', fuel: 'Electrique' },
        hold: hold({
          controlType: 'CTC',
          vehicle: { category: 'VU', fuel: 'Electrique' },
          durationMinutes: 20,
        }),
      }),
      context(),
      'CONTROL_NOT_APPLICABLE',
      'CONTROL_NOT_APPLICABLE',
    );
  });

  it('refuses a combination the centre does not price', () => {
    const cyclo = { category: 'Cyclo' as const, fuel: 'Essence' as const };
    refused(
      [],
      placeCommand({
        vehicle: { plate: 'AB-123-CD', ...cyclo },
        hold: hold({ vehicle: cyclo, durationMinutes: 35 }),
      }),
      context(),
      'NOT_PRICED',
      'NOT_PRICED',
    );
  });

  it('refuses a hold that does not match the booking', () => {
    const mismatch = (overrides: Parameters<typeof hold>[0], field: string) => {
      const error = refused(
        [],
        placeCommand({ hold: hold(overrides) }),
        context(),
        'INVALID_COMMAND',
        'HOLD_MISMATCH',
      );
      expect(error.details.field).toBe(field);
    };
    mismatch({ bookingId: 'another-booking' }, 'bookingId');
    mismatch({ controlType: 'CV' }, 'controlType');
    mismatch({ vehicle: { category: 'VP', fuel: 'Gaz' } }, 'vehicle');
    mismatch({ durationMinutes: 60 }, 'durationMinutes');
  });

  it('refuses an expired hold', () => {
    refused([], placeCommand(), at('2025-03-10T08:15:00.000Z'), 'HOLD_EXPIRED', 'HOLD_EXPIRED');
  });

  it('checks every event against the contract before emitting it (a malformed hold time)', () => {
    const error = refused(
      [],
      placeCommand({ hold: hold({ start: '25:00' }) }),
      context(),
      'INVALID_COMMAND',
      'INVALID_INPUT',
    );
    expect(error.details.issues).toEqual([expect.objectContaining({ path: '/start' })]);
  });

  it('refuses an existing booking id', () => {
    refused([placed], placeCommand(), context(), 'BOOKING_ALREADY_EXISTS', 'BOOKING_ALREADY_EXISTS');
  });

  it('needs the terms of the centre', () => {
    refused([], placeCommand(), context({ centres: {} }), 'CENTRE_NOT_REGISTERED', 'CENTRE_UNKNOWN');
  });

  describe('contre-visite price', () => {
    const cvp = (date: string, previous: PreviousInspection | null) =>
      when(
        [],
        placeCommand({ controlType: 'CVP', hold: hold({ controlType: 'CVP', durationMinutes: 20, date }) }),
        context({ previousInspection: previous }),
      );

    it('is free within the window after an S in another centre of the network', () => {
      cvp('2025-03-14', previousS).thenMatches((events) => {
        expectValid(events);
        expect(events[0]?.data).toMatchObject({ controlType: 'CVP', durationMinutes: 20, priceCents: 0 });
      });
    });

    it('is free on the last day of the window (60 days), paid the day after', () => {
      cvp('2025-05-03', previousS).thenMatches((events) =>
        expect(events[0]?.data).toMatchObject({ priceCents: 0 }),
      );
      cvp('2025-05-04', previousS).thenMatches((events) =>
        expect(events[0]?.data).toMatchObject({ priceCents: 2500 }),
      );
    });

    it('is paid without a previous S/R inspection', () => {
      cvp('2025-03-14', null).thenMatches((events) =>
        expect(events[0]?.data).toMatchObject({ priceCents: 2500 }),
      );
      cvp('2025-03-14', { ...previousS, result: 'A' }).thenMatches((events) =>
        expect(events[0]?.data).toMatchObject({ priceCents: 2500 }),
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('payment', () => {
  it('requests the price from the provider', () => {
    when([placed], requestPayment).then([paymentRequested]);
  });

  it('ignores a repeated request of the same payment', () => {
    when([placed, paymentRequested], requestPayment).then([]);
  });

  it('refuses a payment for a free booking, after the hold, or once confirmed', () => {
    refused(
      [placedWith({ priceCents: 0 })],
      requestPayment,
      context(),
      'INVALID_TRANSITION',
      'NOTHING_TO_PAY',
    );
    refused([placed], requestPayment, at('2025-03-10T08:15:00.000Z'), 'HOLD_EXPIRED', 'HOLD_EXPIRED');
    refused(
      [...confirmedToPayOnSite],
      { ...requestPayment, paymentId: 'another-payment' },
      context(),
      'INVALID_TRANSITION',
      'ALREADY_CONFIRMED',
    );
  });

  it('confirms the booking when the provider reports success during the hold', () => {
    when([placed, paymentRequested], paymentSuccess, at('2025-03-10T08:05:00.000Z')).then([
      paymentSucceeded,
      confirmedOnline,
    ]);
    expect(stateAfter(paidAndConfirmed)).toMatchObject({ status: 'confirmed', paidCents: 7800 });
  });

  it('ignores a repeated success notification (IPN and browser return)', () => {
    when(paidAndConfirmed, paymentSuccess).then([]);
  });

  it('records a success after the hold without confirming (the saga refunds it)', () => {
    when([placed, paymentRequested], paymentSuccess, at('2025-03-10T08:16:00.000Z')).then([paymentSucceeded]);
    when([placed, paymentRequested, expired], paymentSuccess).then([paymentSucceeded]);
    when([placed, paymentRequested, cancelled], paymentSuccess).then([paymentSucceeded]);
  });

  it('refuses a success for an unknown payment, another provider or another amount', () => {
    refused([placed], paymentSuccess, context(), 'INVALID_COMMAND', 'UNKNOWN_PAYMENT');
    refused(
      [placed, paymentRequested],
      { ...paymentSuccess, provider: 'lemonway' },
      context(),
      'INVALID_COMMAND',
      'PAYMENT_MISMATCH',
    );
    refused(
      [placed, paymentRequested],
      { ...paymentSuccess, amountCents: 100 },
      context(),
      'INVALID_COMMAND',
      'PAYMENT_MISMATCH',
    );
  });

  it('records a failure once, and ignores a failure reported after the success', () => {
    when([placed, paymentRequested], paymentFailure).then([paymentFailed]);
    when([placed, paymentRequested, paymentFailed], paymentFailure).then([]);
    when(paidAndConfirmed, paymentFailure).then([]);
  });

  it('lets the customer retry with a new payment after a failure', () => {
    when([placed, paymentRequested, paymentFailed], { ...requestPayment, paymentId: 'retry-1' }).thenMatches(
      (events) =>
        expect(events).toEqual([
          { type: 'PaymentRequested', data: { ...eventSamples.PaymentRequested, paymentId: 'retry-1' } },
        ]),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('confirm', () => {
  it('confirms with on-site payment (and a customer may switch to it from online)', () => {
    when([placed], confirm('on_site')).then([confirmedOnSite]);
    expect(stateAfter(confirmedToPayOnSite).paymentMode).toBe('on_site');
  });

  it('refuses an online confirmation before the price is paid', () => {
    const error = refused([placed], confirm('online'), context(), 'INVALID_TRANSITION', 'PAYMENT_REQUIRED');
    expect(error.details).toMatchObject({ priceCents: 7800, paidCents: 0 });
  });

  it('confirms a free booking online with nothing to pay', () => {
    when([placedWith({ priceCents: 0 })], confirm('online')).then([confirmedOnline]);
  });

  it('refuses once the hold has expired, even before the expiry is recorded', () => {
    refused([placed], confirm('on_site'), at('2025-03-10T08:15:00.000Z'), 'HOLD_EXPIRED', 'HOLD_EXPIRED');
  });

  it('refuses a booking that does not exist, is confirmed, or has ended', () => {
    refused([], confirm('on_site'), context(), 'BOOKING_NOT_FOUND', 'BOOKING_NOT_FOUND');
    refused(paidAndConfirmed, confirm('on_site'), context(), 'INVALID_TRANSITION', 'ALREADY_CONFIRMED');
    refused(
      [...paidAndConfirmed, checkedIn],
      confirm('on_site'),
      context(),
      'INVALID_TRANSITION',
      'ALREADY_CONFIRMED',
    );
    refused([placed, cancelled], confirm('on_site'), context(), 'INVALID_TRANSITION', 'BOOKING_CANCELLED');
    refused([placed, expired], confirm('on_site'), context(), 'INVALID_TRANSITION', 'BOOKING_EXPIRED');
  });
});

// ---------------------------------------------------------------------------------------------

describe('cancel', () => {
  const cancelledEvent = (overrides: Partial<typeof eventSamples.BookingCancelled>): BookingEvent => ({
    type: 'BookingCancelled',
    data: { ...eventSamples.BookingCancelled, comment: null, ...overrides },
  });

  it('lets the customer cancel up to the cut-off, with a refund when paid online', () => {
    when(
      paidAndConfirmed,
      cancelBy('customer', 'customer_request', '  Je serai en déplacement à Grenoble ce jour-là. '),
      at(JUST_BEFORE_CUTOFF),
    ).then([cancelled]);
  });

  it('refuses the customer at the cut-off instant', () => {
    const error = refused(
      paidAndConfirmed,
      cancelBy('customer'),
      at(CUTOFF),
      'TOO_LATE_TO_CANCEL',
      'TOO_LATE_TO_CANCEL',
    );
    expect(error.details).toMatchObject({ cutoffHours: 24 });
  });

  it('lets staff cancel after the cut-off: no refund when the customer asked, a refund when the centre did', () => {
    when(paidAndConfirmed, cancelBy('call_centre'), at(CUTOFF)).then([
      cancelledEvent({ cancelledBy: 'call_centre', refundEligible: false }),
    ]);
    when(paidAndConfirmed, cancelBy('centre', 'inspector_unavailable'), at('2025-03-14T08:00:00.000Z')).then([
      cancelledEvent({ cancelledBy: 'centre', reason: 'inspector_unavailable', refundEligible: true }),
    ]);
  });

  it('refunds nothing when nothing was paid (on-site payment)', () => {
    when(confirmedToPayOnSite, cancelBy('customer'), at(JUST_BEFORE_CUTOFF)).then([
      cancelledEvent({ refundEligible: false }),
    ]);
  });

  it('lets a customer drop an unconfirmed booking at any time (an abandoned checkout)', () => {
    when([placed], cancelBy('customer', 'customer_request', ''), at('2025-03-10T08:10:00.000Z')).then([
      cancelledEvent({ refundEligible: false }),
    ]);
  });

  it('refuses after check-in, completion, expiry or a no-show', () => {
    refused(
      [...paidAndConfirmed, checkedIn],
      cancelBy('centre', 'other'),
      context(),
      'INVALID_TRANSITION',
      'ALREADY_CHECKED_IN',
    );
    refused(
      [...paidAndConfirmed, checkedIn, completed],
      cancelBy('centre', 'other'),
      context(),
      'INVALID_TRANSITION',
      'BOOKING_COMPLETED',
    );
    refused([placed, expired], cancelBy('customer'), context(), 'INVALID_TRANSITION', 'BOOKING_EXPIRED');
    refused(
      [...paidAndConfirmed, noShow],
      cancelBy('centre', 'other'),
      context(),
      'INVALID_TRANSITION',
      'BOOKING_NO_SHOW',
    );
    refused([placed, cancelled], cancelBy('customer'), context(), 'INVALID_TRANSITION', 'BOOKING_CANCELLED');
  });

  describe('across a daylight-saving change (wall-clock cut-off)', () => {
    // Sunday 30 March 2025 09:30 CEST (07:30Z): the cut-off is Saturday 29 March 09:30 CET (08:30Z).
    const spring = [
      placedWith({ start: '2025-03-30T09:30' }),
      paymentRequested,
      paymentSucceeded,
      confirmedOnline,
    ];
    it('spring forward: allowed until Saturday 09:30 CET, refused from then on', () => {
      // 08:00Z is only 23 h 30 before the start: an elapsed-24 h rule would refuse; the wall clock allows.
      when(spring, cancelBy('customer'), at('2025-03-29T08:00:00.000Z')).thenMatches((events) =>
        expect(events[0]?.data).toMatchObject({ refundEligible: true }),
      );
      when(spring, cancelBy('customer'), at('2025-03-29T08:29:59.999Z')).thenMatches((events) =>
        expect(events).toHaveLength(1),
      );
      refused(
        spring,
        cancelBy('customer'),
        at('2025-03-29T08:30:00.000Z'),
        'TOO_LATE_TO_CANCEL',
        'TOO_LATE_TO_CANCEL',
      );
    });

    // Sunday 26 October 2025 09:30 CET (08:30Z): the cut-off is Saturday 25 October 09:30 CEST (07:30Z).
    const autumn = [placedWith({ start: '2025-10-26T09:30' }), confirmedOnSite];
    it('fall back: allowed until Saturday 09:30 CEST, refused from then on', () => {
      when(autumn, cancelBy('customer'), at('2025-10-25T07:29:59.999Z')).thenMatches((events) =>
        expect(events).toHaveLength(1),
      );
      refused(
        autumn,
        cancelBy('customer'),
        at('2025-10-25T07:30:00.000Z'),
        'TOO_LATE_TO_CANCEL',
        'TOO_LATE_TO_CANCEL',
      );
      // 08:00Z is still 24 h 30 before the start: an elapsed-24 h rule would allow; the wall clock refuses.
      refused(
        autumn,
        cancelBy('customer'),
        at('2025-10-25T08:00:00.000Z'),
        'TOO_LATE_TO_CANCEL',
        'TOO_LATE_TO_CANCEL',
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('reschedule', () => {
  const newSameCentre = newHold({ centreId: ids.centreId, date: '2025-03-17', start: '10:00' });

  it('moves a confirmed booking to a held reservation at another centre, at that centre’s price', () => {
    when(paidAndConfirmed, rescheduleCommand(), at('2025-03-11T09:00:00.000Z')).then([rescheduled]);
    const state = stateAfter([...paidAndConfirmed, rescheduled]);
    expect(state).toMatchObject({
      status: 'confirmed',
      centreId: ids.otherCentreId,
      reservationId: ids.newReservationId,
      start: '2025-03-18T14:00',
      priceCents: 7500,
      paidCents: 7800,
      previousAppointments: [
        { centreId: ids.centreId, reservationId: ids.reservationId, start: '2025-03-14T09:30' },
      ],
    });
  });

  it('keeps the price when the centre stays the same', () => {
    when(
      paidAndConfirmed,
      rescheduleCommand({ hold: newSameCentre }),
      at('2025-03-11T09:00:00.000Z'),
    ).thenMatches((events) => {
      expectValid(events);
      expect(events[0]?.data).toMatchObject({
        to: { centreId: ids.centreId, start: '2025-03-17T10:00' },
        priceCents: 7800,
      });
    });
  });

  it('makes a contre-visite free at another centre of the network when that centre’s policy says so', () => {
    const cvpBooking = [
      placedWith({ controlType: 'CVP', durationMinutes: 20, priceCents: 2500 }),
      confirmedOnSite,
    ];
    const cvpHold = newHold({ controlType: 'CVP', durationMinutes: 20 });
    const generous = context({
      now: new Date('2025-03-11T09:00:00.000Z'),
      centres: {
        ...context().centres,
        [ids.otherCentreId]: { ...otherCentreTerms, freeContreVisiteDays: 30 },
      },
      previousInspection: previousS,
    });
    when(cvpBooking, rescheduleCommand({ hold: cvpHold }), generous).thenMatches((events) =>
      expect(events[0]?.data).toMatchObject({ priceCents: 0 }),
    );
    // Without a free window there, the other centre's list price applies.
    when(
      cvpBooking,
      rescheduleCommand({ hold: cvpHold }),
      at('2025-03-11T09:00:00.000Z', { previousInspection: previousS }),
    ).thenMatches((events) => expect(events[0]?.data).toMatchObject({ priceCents: 2000 }));
  });

  it('refuses the customer after the cut-off of the current appointment; staff may still move it', () => {
    refused(
      paidAndConfirmed,
      rescheduleCommand(),
      at(CUTOFF),
      'TOO_LATE_TO_CANCEL',
      'TOO_LATE_TO_RESCHEDULE',
    );
    when(
      paidAndConfirmed,
      rescheduleCommand({ by: 'call_centre', hold: newHold({ expiresAt: '2025-03-14T08:00:00.000Z' }) }),
      at(CUTOFF),
    ).thenMatches((events) => expect(events).toHaveLength(1));
  });

  it('refuses, and leaves the old appointment intact, when the new hold has expired or does not match', () => {
    refused(
      paidAndConfirmed,
      rescheduleCommand(),
      at('2025-03-12T10:15:00.000Z'),
      'HOLD_EXPIRED',
      'HOLD_EXPIRED',
    );
    refused(
      paidAndConfirmed,
      rescheduleCommand({ hold: newHold({ durationMinutes: 35 }) }),
      at('2025-03-11T09:00:00.000Z'),
      'INVALID_COMMAND',
      'HOLD_MISMATCH',
    );
    refused(
      paidAndConfirmed,
      rescheduleCommand({ hold: newHold({ bookingId: 'another-booking' }) }),
      at('2025-03-11T09:00:00.000Z'),
      'INVALID_COMMAND',
      'HOLD_MISMATCH',
    );
    // The refused command appended nothing: the booking still holds its old reservation.
    expect(stateAfter(paidAndConfirmed)).toMatchObject({
      reservationId: ids.reservationId,
      centreId: ids.centreId,
    });
  });

  it('refuses the reservation the booking already has', () => {
    refused(
      paidAndConfirmed,
      rescheduleCommand({ hold: hold({ expiresAt: '2025-03-12T00:00:00.000Z' }) }),
      at('2025-03-11T09:00:00.000Z'),
      'INVALID_COMMAND',
      'SAME_RESERVATION',
    );
  });

  it('refuses a new centre that does not price the control', () => {
    const vu = { category: 'VU' as const, fuel: 'Diesel' as const };
    refused(
      [placedWith({ vehicle: { plate: 'AB-123-CD', ...vu }, priceCents: 8200 }), confirmedOnSite],
      rescheduleCommand({ hold: newHold({ vehicle: vu }) }),
      at('2025-03-11T09:00:00.000Z'),
      'NOT_PRICED',
      'NOT_PRICED',
    );
  });

  it('refuses a booking that is not confirmed, or already checked in', () => {
    refused([placed], rescheduleCommand(), context(), 'INVALID_TRANSITION', 'NOT_CONFIRMED');
    refused(
      [...paidAndConfirmed, checkedIn],
      rescheduleCommand({ by: 'centre' }),
      at(START),
      'INVALID_TRANSITION',
      'ALREADY_CHECKED_IN',
    );
  });

  it('can be rescheduled again, and cancelled against the new appointment’s cut-off', () => {
    const moved = [...paidAndConfirmed, rescheduled];
    // The new appointment (Tuesday 18 March 14:00 CET at the other centre, 48 h cut-off) is still far.
    when(moved, cancelBy('customer'), at('2025-03-16T12:59:59.999Z')).thenMatches((events) =>
      expect(events[0]?.data).toMatchObject({ refundEligible: true }),
    );
    refused(
      moved,
      cancelBy('customer'),
      at('2025-03-16T13:00:00.000Z'),
      'TOO_LATE_TO_CANCEL',
      'TOO_LATE_TO_CANCEL',
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('check in', () => {
  it('checks in a confirmed booking on its local day (00:30 in Paris is still 23:30Z the day before)', () => {
    when(paidAndConfirmed, checkIn, at(START)).then([checkedIn]);
    when(paidAndConfirmed, checkIn, at('2025-03-13T23:30:00.000Z')).then([checkedIn]);
  });

  it('refuses the day before and the day after (local days)', () => {
    refused(
      paidAndConfirmed,
      checkIn,
      at('2025-03-13T22:59:59.999Z'),
      'INVALID_TRANSITION',
      'TOO_EARLY_TO_CHECK_IN',
    );
    refused(
      paidAndConfirmed,
      checkIn,
      at('2025-03-14T23:00:00.000Z'),
      'INVALID_TRANSITION',
      'CHECK_IN_DAY_PASSED',
    );
  });

  it('refuses a placed booking, a second check-in, a completed booking', () => {
    refused([placed], checkIn, at(START), 'INVALID_TRANSITION', 'NOT_CONFIRMED');
    refused([...paidAndConfirmed, checkedIn], checkIn, at(START), 'INVALID_TRANSITION', 'ALREADY_CHECKED_IN');
    refused(
      [...paidAndConfirmed, checkedIn, completed],
      checkIn,
      at(START),
      'INVALID_TRANSITION',
      'ALREADY_CHECKED_IN',
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('record result', () => {
  const inProgress = [...paidAndConfirmed, checkedIn];

  it('completes with S and a contre-visite due two months after the control', () => {
    when(inProgress, result('S'), at(START)).then([completed]);
  });

  it('records R with a contre-visite, A without', () => {
    when(inProgress, result('R')).then([
      { type: 'BookingCompleted', data: { ...eventSamples.BookingCompleted, result: 'R' } },
    ]);
    when(inProgress, result('A')).then([
      {
        type: 'BookingCompleted',
        data: { ...eventSamples.BookingCompleted, result: 'A', contreVisiteDueBy: null },
      },
    ]);
  });

  it('gives no contre-visite after a voluntary control, even with S', () => {
    when(
      [placedWith({ controlType: 'CV', priceCents: 7000 }), confirmedOnSite, checkedIn],
      result('S'),
    ).thenMatches((events) =>
      expect(events[0]?.data).toMatchObject({ result: 'S', contreVisiteDueBy: null }),
    );
  });

  it('takes the inspector of the command over the one named at check-in, and needs one', () => {
    when(inProgress, result('A', ids.otherInspectorId)).thenMatches((events) =>
      expect(events[0]?.data).toMatchObject({ inspectorId: ids.otherInspectorId }),
    );
    const anonymous: BookingEvent = { type: 'BookingCheckedIn', data: { bookingId, inspectorId: null } };
    refused(
      [...paidAndConfirmed, anonymous],
      result('A'),
      context(),
      'INVALID_COMMAND',
      'INSPECTOR_REQUIRED',
    );
  });

  it('refuses without check-in, and twice', () => {
    refused(paidAndConfirmed, result('A'), context(), 'INVALID_TRANSITION', 'NOT_CHECKED_IN');
    refused([placed], result('A'), context(), 'INVALID_TRANSITION', 'NOT_CHECKED_IN');
    refused([...inProgress, completed], result('A'), context(), 'INVALID_TRANSITION', 'BOOKING_COMPLETED');
  });

  it('leaves a completed booking with its result and deadline', () => {
    expect(stateAfter([...inProgress, completed])).toMatchObject({
      status: 'completed',
      checkedIn: true,
      result: 'S',
      contreVisiteDueBy: '2025-05-14',
      inspectorId: ids.inspectorId,
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('no-show', () => {
  it('records a no-show from the start of the appointment', () => {
    when(paidAndConfirmed, recordNoShow, at(START)).then([noShow]);
  });

  it('refuses before the start, after check-in, or for an unconfirmed booking', () => {
    refused(
      paidAndConfirmed,
      recordNoShow,
      at('2025-03-14T08:29:59.999Z'),
      'INVALID_TRANSITION',
      'TOO_EARLY_FOR_NO_SHOW',
    );
    refused(
      [...paidAndConfirmed, checkedIn],
      recordNoShow,
      at(START),
      'INVALID_TRANSITION',
      'ALREADY_CHECKED_IN',
    );
    refused([placed], recordNoShow, at(START), 'INVALID_TRANSITION', 'NOT_CONFIRMED');
    refused([...paidAndConfirmed, noShow], recordNoShow, at(START), 'INVALID_TRANSITION', 'BOOKING_NO_SHOW');
  });
});

// ---------------------------------------------------------------------------------------------

describe('expire', () => {
  it('expires a placed booking once its hold ran out', () => {
    when([placed], expire, at('2025-03-10T08:15:00.000Z')).then([expired]);
  });

  it('refuses while the hold runs', () => {
    refused([placed], expire, at('2025-03-10T08:14:59.999Z'), 'INVALID_TRANSITION', 'HOLD_NOT_EXPIRED');
    refused([placed, paymentRequested], expire, context(), 'INVALID_TRANSITION', 'HOLD_NOT_EXPIRED');
  });

  it('may expire early once the last payment attempt failed and none is pending', () => {
    when([placed, paymentRequested, paymentFailed], expire, context()).then([expired]);
    const retry: BookingEvent = {
      type: 'PaymentRequested',
      data: { ...eventSamples.PaymentRequested, paymentId: 'retry-1' },
    };
    refused(
      [placed, paymentRequested, paymentFailed, retry],
      expire,
      context(),
      'INVALID_TRANSITION',
      'HOLD_NOT_EXPIRED',
    );
  });

  it('is a no-op on an expired booking (a timer that fires twice)', () => {
    when([placed, expired], expire, at('2025-03-10T09:00:00.000Z')).then([]);
  });

  it('refuses a confirmed or cancelled booking', () => {
    refused(
      paidAndConfirmed,
      expire,
      at('2025-03-10T09:00:00.000Z'),
      'INVALID_TRANSITION',
      'ALREADY_CONFIRMED',
    );
    refused(
      [placed, cancelled],
      expire,
      at('2025-03-10T09:00:00.000Z'),
      'INVALID_TRANSITION',
      'BOOKING_CANCELLED',
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('notes', () => {
  const note: BookingCommand = {
    type: 'AddBookingNote',
    bookingId,
    noteId: ids.noteId,
    text: eventSamples.BookingNoteAdded.text,
  };

  it('adds a note in any status, once per note id', () => {
    when([placed], note).then([{ type: 'BookingNoteAdded', data: eventSamples.BookingNoteAdded }]);
    when([...paidAndConfirmed, noShow], note).thenMatches((events) => expect(events).toHaveLength(1));
    when([placed, { type: 'BookingNoteAdded', data: eventSamples.BookingNoteAdded }], note).then([]);
  });

  it('refuses an empty note and a note on no booking', () => {
    refused([placed], { ...note, text: '   ' }, context(), 'INVALID_COMMAND', 'INVALID_INPUT');
    refused([], note, context(), 'BOOKING_NOT_FOUND', 'BOOKING_NOT_FOUND');
  });
});

describe('the contract samples', () => {
  it('are all events the decider can produce, valid against their schemas', () => {
    expectValid([
      placed,
      paymentRequested,
      paymentSucceeded,
      paymentFailed,
      confirmedOnline,
      confirmedOnSite,
      checkedIn,
      completed,
      cancelled,
      expired,
      noShow,
      rescheduled,
    ]);
  });
});
