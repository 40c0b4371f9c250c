import {
  type BookingContext,
  type BookingState,
  bookingDecider,
  DEFAULT_DURATION_MATRIX,
  type PlaceBooking,
} from '@pti/write-side/domain';
import type { StreamEvent } from '../ports/read-models.js';
import { CAMILLE_BOOKING_ID, GERLAND, TENANT_A } from './fixtures.js';

/**
 * A real booking stream, decided command by command by the write side's Booking decider (the same
 * story as the contract samples): placed, payment requested, payment succeeded (which confirms the
 * booking in the same decision), checked in, completed with a contre-visite. Each event is stamped
 * with the instant of its decision.
 */

export const BOOKING_STREAM = `booking-${CAMILLE_BOOKING_ID}`;

/** 5 bytes spelling the reference `K7M4-QX2P`. */
const REFERENCE_BYTES = Uint8Array.of(0x4f, 0x57, 0xa7, 0x57, 0x0d);

type Command = Parameters<typeof bookingDecider.decide>[0];

const PLACE: PlaceBooking = {
  type: 'PlaceBooking',
  bookingId: CAMILLE_BOOKING_ID,
  customerId: '5d6e7f80-91a2-4b3c-8d4e-5f60718293a4',
  customer: {
    kind: 'private',
    name: 'Camille Martin',
    email: 'camille.martin@example.fr',
    phone: '06 12 34 56 78',
    address: { street: '8 rue des Tanneurs', postcode: '69005', city: 'Lyon' },
  },
  vehicle: { plate: 'ab 123 cd', category: 'VP', fuel: 'Diesel' },
  controlType: 'CTP',
  channel: 'web',
  paymentMode: 'online',
  hold: {
    centreId: GERLAND,
    date: '2025-03-14',
    reservationId: '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d',
    bookingId: CAMILLE_BOOKING_ID,
    start: '09:30',
    durationMinutes: 45,
    controlType: 'CTP',
    vehicle: { category: 'VP', fuel: 'Diesel' },
    expiresAt: '2025-03-10T08:15:00.000Z',
  },
};

const PAYMENT_ID = '4e5f6a7b-8c9d-4e0f-9a1b-3c4d5e6f7a8b';

/** Commands with the instant each was decided at. */
export const STORY: readonly { readonly at: string; readonly command: Command }[] = [
  { at: '2025-03-10T08:00:00.000Z', command: PLACE },
  {
    at: '2025-03-10T08:02:00.000Z',
    command: {
      type: 'RequestPayment',
      bookingId: CAMILLE_BOOKING_ID,
      paymentId: PAYMENT_ID,
      provider: 'payzen',
    },
  },
  {
    at: '2025-03-10T08:04:00.000Z',
    command: {
      type: 'RecordPaymentSucceeded',
      bookingId: CAMILLE_BOOKING_ID,
      paymentId: PAYMENT_ID,
      provider: 'payzen',
      amountCents: 7800,
      providerTransactionId: '9f1c2a7e3b4d4c5e8a6f7b8c9d0e1f2a',
    },
  },
  {
    at: '2025-03-14T08:25:00.000Z',
    command: { type: 'CheckInBooking', bookingId: CAMILLE_BOOKING_ID, inspectorId: 'karim' },
  },
  {
    at: '2025-03-14T09:20:00.000Z',
    command: { type: 'RecordResult', bookingId: CAMILLE_BOOKING_ID, result: 'S', inspectorId: null },
  },
];

function contextAt(at: string): BookingContext {
  return {
    now: new Date(at),
    timeZone: 'Europe/Paris',
    randomBytes: (size) =>
      Uint8Array.from({ length: size }, (_, i) => REFERENCE_BYTES[i % REFERENCE_BYTES.length] ?? 0),
    durationMatrix: DEFAULT_DURATION_MATRIX,
    centres: {
      [GERLAND]: {
        priceList: [{ controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 7800 }],
        cancellationCutoffHours: 24,
        freeContreVisiteDays: 60,
      },
    },
    previousInspection: null,
  };
}

/** The stream as the ledger would hand it over, and the state after each event (for assertions). */
export function decidedBookingStream(tenantId = TENANT_A): {
  events: StreamEvent[];
  statesAfter: BookingState[];
} {
  let state = bookingDecider.initialState();
  const events: StreamEvent[] = [];
  const statesAfter: BookingState[] = [];
  for (const { at, command } of STORY) {
    for (const event of bookingDecider.decide(command, state, contextAt(at))) {
      state = bookingDecider.evolve(state, event);
      statesAfter.push(state);
      events.push({
        type: event.type,
        data: event.data,
        occurredAt: at,
        revision: BigInt(events.length + 1),
        tenantId,
        actor: { id: 'web', role: command.type === 'RecordResult' ? 'controleur' : 'motorist' },
      });
    }
  }
  return { events, statesAfter };
}
