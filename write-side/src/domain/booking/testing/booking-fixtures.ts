import { type BookingEvent, eventSamples, type PriceEntry, sampleIds } from '@pti/events';
import { DEFAULT_DURATION_MATRIX } from '../../durations/index.js';
import type {
  BookingContext,
  CentreTerms,
  HeldReservation,
  PlaceBooking,
  RescheduleBooking,
} from '../booking-commands.js';
import type { RandomBytes } from '../booking-reference.js';

/**
 * Test data of the booking specifications: the sample story of the contract (`eventSamples`), so a
 * correct decider reproduces the samples byte for byte. Excluded from the build (`testing/`).
 */

export const ids = sampleIds;

/** 5 bytes that spell the sample reference `K7M4-QX2P`. */
export const SAMPLE_REFERENCE_BYTES = Uint8Array.of(0x4f, 0x57, 0xa7, 0x57, 0x0d);

/** A random source that always answers with the same bytes (repeated as needed). */
export function fixedRandom(bytes: Uint8Array = SAMPLE_REFERENCE_BYTES): RandomBytes {
  return (size) => Uint8Array.from({ length: size }, (_, i) => bytes[i % bytes.length] ?? 0);
}

export const centreTerms: CentreTerms = {
  priceList: eventSamples.PriceListSet.entries,
  cancellationCutoffHours: 24,
  freeContreVisiteDays: 60,
};

const otherPriceList: readonly PriceEntry[] = [
  { controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 7500 },
  { controlType: 'CVP', vehicleCategory: 'VP', fuel: null, priceCents: 2000 },
];

/** Another centre of the network: cheaper, no free contre-visite of its own unless a test says so. */
export const otherCentreTerms: CentreTerms = {
  priceList: otherPriceList,
  cancellationCutoffHours: 48,
  freeContreVisiteDays: 0,
};

/** When the sample booking is placed (its hold runs until 08:15Z). */
export const PLACED_AT = new Date('2025-03-10T08:00:00.000Z');

export function context(overrides: Partial<BookingContext> = {}): BookingContext {
  return {
    now: PLACED_AT,
    timeZone: 'Europe/Paris',
    randomBytes: fixedRandom(),
    durationMatrix: DEFAULT_DURATION_MATRIX,
    centres: { [ids.centreId]: centreTerms, [ids.otherCentreId]: otherCentreTerms },
    previousInspection: null,
    ...overrides,
  };
}

/** A context at an instant. */
export function at(instant: string, overrides: Partial<BookingContext> = {}): BookingContext {
  return context({ now: new Date(instant), ...overrides });
}

/** The sample hold (SlotHeld) of the sample booking. */
export function hold(overrides: Partial<HeldReservation> = {}): HeldReservation {
  const held = eventSamples.SlotHeld;
  return {
    centreId: held.centreId,
    date: held.date,
    reservationId: held.reservationId,
    bookingId: held.bookingId,
    start: held.start,
    durationMinutes: held.durationMinutes,
    controlType: held.controlType,
    vehicle: held.vehicle,
    expiresAt: held.expiresAt,
    ...overrides,
  };
}

/** The sample booking as a customer types it (spacing, case, national phone format). */
export function placeCommand(overrides: Partial<PlaceBooking> = {}): PlaceBooking {
  return {
    type: 'PlaceBooking',
    bookingId: ids.bookingId,
    customerId: ids.customerId,
    customer: {
      kind: 'private',
      name: '  Camille   Martin ',
      email: ' Camille.Martin@Example.fr',
      phone: '06 12 34 56 78',
      address: { street: '8 rue des Tanneurs', postcode: '69005', city: 'Lyon' },
    },
    vehicle: { plate: 'ab 123 cd', category: 'VP', fuel: 'Diesel' },
    controlType: 'CTP',
    channel: 'web',
    paymentMode: 'online',
    hold: hold(),
    ...overrides,
  };
}

/** The new hold of the sample reschedule: the other centre, Tuesday 18 March 2025 at 14:00. */
export function newHold(overrides: Partial<HeldReservation> = {}): HeldReservation {
  return hold({
    centreId: ids.otherCentreId,
    date: '2025-03-18',
    start: '14:00',
    reservationId: ids.newReservationId,
    expiresAt: '2025-03-12T10:15:00.000Z',
    ...overrides,
  });
}

export function rescheduleCommand(overrides: Partial<RescheduleBooking> = {}): RescheduleBooking {
  return {
    type: 'RescheduleBooking',
    bookingId: ids.bookingId,
    by: 'customer',
    hold: newHold(),
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------
// Given: event histories
// ---------------------------------------------------------------------------------------------

export const placed: BookingEvent = { type: 'BookingPlaced', data: eventSamples.BookingPlaced };
export const paymentRequested: BookingEvent = {
  type: 'PaymentRequested',
  data: eventSamples.PaymentRequested,
};
export const paymentSucceeded: BookingEvent = {
  type: 'PaymentSucceeded',
  data: eventSamples.PaymentSucceeded,
};
export const paymentFailed: BookingEvent = { type: 'PaymentFailed', data: eventSamples.PaymentFailed };
export const confirmedOnline: BookingEvent = {
  type: 'BookingConfirmed',
  data: { bookingId: ids.bookingId, paymentMode: 'online' },
};
export const confirmedOnSite: BookingEvent = {
  type: 'BookingConfirmed',
  data: { bookingId: ids.bookingId, paymentMode: 'on_site' },
};
export const checkedIn: BookingEvent = { type: 'BookingCheckedIn', data: eventSamples.BookingCheckedIn };
export const completed: BookingEvent = { type: 'BookingCompleted', data: eventSamples.BookingCompleted };
export const cancelled: BookingEvent = { type: 'BookingCancelled', data: eventSamples.BookingCancelled };
export const expired: BookingEvent = { type: 'BookingExpired', data: eventSamples.BookingExpired };
export const noShow: BookingEvent = { type: 'BookingNoShow', data: eventSamples.BookingNoShow };
export const rescheduled: BookingEvent = {
  type: 'BookingRescheduled',
  data: eventSamples.BookingRescheduled,
};

/** Placed and paid online, confirmed. */
export const paidAndConfirmed: readonly BookingEvent[] = [
  placed,
  paymentRequested,
  paymentSucceeded,
  confirmedOnline,
];
/** Placed, confirmed to be paid on site. */
export const confirmedToPayOnSite: readonly BookingEvent[] = [placed, confirmedOnSite];

/** A placed booking with other field values (a free contre-visite, another vehicle...). */
export function placedWith(overrides: Partial<typeof eventSamples.BookingPlaced>): BookingEvent {
  return { type: 'BookingPlaced', data: { ...eventSamples.BookingPlaced, ...overrides } };
}
