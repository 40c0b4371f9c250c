import { createHash } from 'node:crypto';
import type {
  CancellationReason,
  CancelledBy,
  Channel,
  ControlType,
  EventMetadata,
  Fuel,
  InspectionResult,
  PaymentMode,
  VehicleCategory,
  WeeklyHours,
} from '@pti/events';
import { ERASED } from '@pti/platform';
import {
  type BookingContext,
  type BookingState,
  bookingDecider,
  type CalendarState,
  type CentreCommand,
  type CentreState,
  type CustomerInput,
  calendarDecider,
  centreDayConfiguration,
  centreDecider,
  DEFAULT_DURATION_MATRIX,
  durationMinutes,
  type HeldReservation,
} from '@pti/write-side/domain';
import type { SpecEvent } from '../../runtime/testing/projection-spec.js';

/**
 * Realistic event histories for the read-model specifications, produced by the write side's own
 * deciders (centre, calendar, booking) exactly as the command handlers would: every event a story
 * records is one `decide` emitted, with the instant it was decided at as `occurredAt`.
 */

const split = [
  { from: '08:00', to: '12:00' },
  { from: '14:00', to: '18:00' },
];

/** Monday to Friday 08:00–12:00 + 14:00–18:00, Saturday morning, closed on Sunday. */
export const STORY_WEEK: WeeklyHours = {
  monday: split,
  tuesday: split,
  wednesday: split,
  thursday: split,
  friday: split,
  saturday: [{ from: '08:00', to: '12:00' }],
  sunday: [],
};

export interface PlaceInput {
  readonly bookingId: string;
  readonly customerId: string;
  readonly centreId: string;
  /** Local date and start time of the appointment. */
  readonly date: string;
  readonly start: string;
  /** When the booking is placed (ISO instant). */
  readonly at: string;
  readonly customer?: CustomerInput;
  readonly plate?: string;
  readonly category?: VehicleCategory;
  readonly fuel?: Fuel;
  readonly controlType?: ControlType;
  readonly channel?: Channel;
  readonly paymentMode?: PaymentMode;
  readonly inspectorId?: string | null;
}

export interface RescheduleInput {
  readonly at: string;
  readonly centreId?: string;
  readonly date: string;
  readonly start: string;
  readonly by?: CancelledBy;
}

export interface Story {
  /** Every event recorded so far, in order. */
  events(): SpecEvent[];
  /** The events recorded since the previous `drain` (or since the start). */
  drain(): SpecEvent[];
  centre(commands: readonly CentreCommand[], at: string): void;
  /** A registered centre with opening hours, prices, policy and inspectors (`<centreId>-i1`, `-i2`). */
  referenceCentre(centreId: string, at: string, options?: { readonly capacity?: number }): void;
  place(input: PlaceInput): { readonly reference: string; readonly reservationId: string };
  payAndConfirm(bookingId: string, at: string): void;
  /** An online payment the provider declines. */
  payAndFail(bookingId: string, at: string): void;
  confirmOnSite(bookingId: string, at: string): void;
  cancel(
    bookingId: string,
    at: string,
    options?: { by?: CancelledBy; reason?: CancellationReason; comment?: string | null },
  ): void;
  expire(bookingId: string, at: string): void;
  checkIn(bookingId: string, at: string, inspectorId?: string | null): void;
  complete(bookingId: string, at: string, result: InspectionResult, inspectorId?: string | null): void;
  noShow(bookingId: string, at: string): void;
  reschedule(bookingId: string, input: RescheduleInput): void;
  note(bookingId: string, at: string, noteId: string, text: string): void;
  block(
    centreId: string,
    date: string,
    at: string,
    block: { blockId: string; from: string; to: string; inspectorId: string | null; label: string },
  ): void;
  unblock(centreId: string, date: string, at: string, blockId: string): void;
  reassign(bookingId: string, at: string, toInspectorId: string | null): void;
  booking(bookingId: string): BookingState;
}

export function createStory(metadata: Partial<EventMetadata> = {}): Story {
  const recorded: SpecEvent[] = [];
  let drained = 0;
  const centres = new Map<string, CentreState>();
  const calendars = new Map<string, CalendarState>();
  const bookings = new Map<string, BookingState>();
  let sequence = 0;

  const record = (event: SpecEvent, at: string) => {
    recorded.push({ ...event, metadata: { ...metadata, ...event.metadata, occurredAt: at } } as SpecEvent);
  };

  const centreOf = (centreId: string): CentreState => {
    const state = centres.get(centreId);
    if (state === undefined) throw new Error(`story: unknown centre ${centreId}`);
    return state;
  };

  const bookingOf = (bookingId: string) => {
    const state = bookings.get(bookingId);
    if (state === undefined || state.status === 'none')
      throw new Error(`story: unknown booking ${bookingId}`);
    return state;
  };

  const bookingContext = (at: string, bookingId: string): BookingContext => {
    const terms = Object.fromEntries(
      [...centres].map(([id, state]) => [
        id,
        {
          priceList: state.priceList?.entries ?? [],
          cancellationCutoffHours: state.policy.cancellationCutoffHours,
          freeContreVisiteDays: state.policy.freeContreVisiteDays,
        },
      ]),
    );
    const seed = createHash('sha256').update(bookingId).digest();
    return {
      now: new Date(at),
      timeZone: 'Europe/Paris',
      randomBytes: (size) => Uint8Array.from({ length: size }, (_, i) => seed[i % seed.length] ?? 0),
      durationMatrix: DEFAULT_DURATION_MATRIX,
      centres: terms,
      previousInspection: null,
    };
  };

  const decideBooking = (
    bookingId: string,
    at: string,
    command: Parameters<typeof bookingDecider.decide>[0],
  ) => {
    let state = bookings.get(bookingId) ?? bookingDecider.initialState();
    const events = bookingDecider.decide(command, state, bookingContext(at, bookingId));
    for (const event of events) {
      state = bookingDecider.evolve(state, event);
      record(event, at);
    }
    bookings.set(bookingId, state);
    return events;
  };

  const decideCalendar = (
    centreId: string,
    date: string,
    at: string,
    command: Parameters<typeof calendarDecider.decide>[0],
  ) => {
    const key = `${centreId}/${date}`;
    let state = calendars.get(key) ?? calendarDecider.initialState();
    const events = calendarDecider.decide(command, state, {
      now: new Date(at),
      day: centreDayConfiguration(centreOf(centreId), date),
      newId: () => {
        sequence += 1;
        return `gen-${sequence}`;
      },
    });
    for (const event of events) {
      state = calendarDecider.evolve(state, event);
      record(event, at);
    }
    calendars.set(key, state);
    return events;
  };

  const hold = (
    bookingId: string,
    centreId: string,
    date: string,
    start: string,
    at: string,
    profile: { controlType: ControlType; category: VehicleCategory; fuel: Fuel },
    inspectorId: string | null | undefined,
  ): HeldReservation => {
    sequence += 1;
    const reservationId = `res-${sequence}`;
    const minutes = durationMinutes(
      DEFAULT_DURATION_MATRIX,
      profile.controlType,
      profile.category,
      profile.fuel,
    );
    const events = decideCalendar(centreId, date, at, {
      type: 'HoldSlot',
      centreId,
      date,
      reservationId,
      bookingId,
      start,
      durationMinutes: minutes,
      controlType: profile.controlType,
      vehicle: { category: profile.category, fuel: profile.fuel },
      ...(inspectorId === undefined ? {} : { inspectorId }),
    });
    const held = events.find((event) => event.type === 'SlotHeld');
    if (held?.type !== 'SlotHeld') throw new Error('story: no SlotHeld');
    const { data } = held;
    return {
      centreId: data.centreId,
      date: data.date,
      reservationId: data.reservationId,
      bookingId: data.bookingId,
      start: data.start,
      durationMinutes: data.durationMinutes,
      controlType: data.controlType,
      vehicle: data.vehicle,
      expiresAt: data.expiresAt,
    };
  };

  const freeCalendar = (bookingId: string, at: string, reason: 'cancelled' | 'rescheduled' | 'no_show') => {
    const booking = bookingOf(bookingId);
    const date = booking.start.slice(0, 10);
    const base = { centreId: booking.centreId, date, reservationId: booking.reservationId, bookingId };
    if (booking.status === 'placed' || booking.status === 'expired' || booking.status === 'cancelled') {
      // Cancel of a placed booking releases its hold; a confirmed one frees its reservation.
      const key = `${booking.centreId}/${date}`;
      const reservation = calendars
        .get(key)
        ?.reservations.find((r) => r.reservationId === booking.reservationId);
      if (reservation?.status === 'held') {
        decideCalendar(booking.centreId, date, at, {
          type: 'ReleaseHold',
          ...base,
          reason: reason === 'no_show' ? 'cancelled' : reason,
        });
        return;
      }
    }
    decideCalendar(booking.centreId, date, at, { type: 'FreeReservation', ...base, reason });
  };

  const story: Story = {
    events: () => [...recorded],
    drain: () => {
      const out = recorded.slice(drained);
      drained = recorded.length;
      return out;
    },
    centre: (commands, at) => {
      for (const command of commands) {
        let state = centres.get(command.centreId) ?? centreDecider.initialState();
        for (const event of centreDecider.decide(command, state, undefined)) {
          state = centreDecider.evolve(state, event);
          record(event, at);
        }
        centres.set(command.centreId, state);
      }
    },
    referenceCentre: (centreId, at, options = {}) => {
      const inspectors = [`${centreId}-i1`, `${centreId}-i2`];
      story.centre(
        [
          {
            type: 'RegisterCentre',
            centreId,
            code: centreId.toUpperCase(),
            name: `Centre ${centreId}`,
            address: '42 avenue Jean Jaurès',
            postcode: '69007',
            city: 'Lyon',
            position: { lat: 45.7441, lon: 4.8419 },
            contact: { phone: '+33478601234', email: 'centre@pti-controle.fr' },
          },
          { type: 'SetOpeningHours', centreId, week: STORY_WEEK },
          {
            type: 'SetPriceList',
            centreId,
            currency: 'EUR',
            entries: [
              { controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 7800 },
              { controlType: 'CTP', vehicleCategory: 'Moto', fuel: null, priceCents: 6500 },
              { controlType: 'CVP', vehicleCategory: 'VP', fuel: null, priceCents: 2500 },
              { controlType: 'CV', vehicleCategory: 'VP', fuel: null, priceCents: 7000 },
            ],
          },
          ...inspectors.flatMap((inspectorId, index): CentreCommand[] => [
            {
              type: 'AddInspector',
              centreId,
              inspectorId,
              name: index === 0 ? 'Karim Benali' : 'Sophie Lambert',
              userId: null,
              accreditations: ['VL', 'L'],
            },
            { type: 'SetInspectorSchedule', centreId, inspectorId, week: STORY_WEEK },
          ]),
          ...(options.capacity === undefined
            ? []
            : [{ type: 'SetDailyCapacity', centreId, capacity: options.capacity } as const]),
        ],
        at,
      );
    },
    place: (input) => {
      const controlType = input.controlType ?? 'CTP';
      const category = input.category ?? 'VP';
      const fuel = input.fuel ?? 'Diesel';
      const held = hold(
        input.bookingId,
        input.centreId,
        input.date,
        input.start,
        input.at,
        { controlType, category, fuel },
        input.inspectorId,
      );
      const [placed] = decideBooking(input.bookingId, input.at, {
        type: 'PlaceBooking',
        bookingId: input.bookingId,
        customerId: input.customerId,
        customer: input.customer ?? {
          kind: 'private',
          name: 'Camille Martin',
          email: 'camille.martin@example.fr',
          phone: '06 12 34 56 78',
          address: null,
        },
        vehicle: { plate: input.plate ?? 'AB-123-CD', category, fuel },
        controlType,
        channel: input.channel ?? 'web',
        paymentMode: input.paymentMode ?? 'online',
        hold: held,
      });
      if (placed?.type !== 'BookingPlaced') throw new Error('story: no BookingPlaced');
      return { reference: placed.data.reference, reservationId: held.reservationId };
    },
    payAndConfirm: (bookingId, at) => {
      const booking = bookingOf(bookingId);
      sequence += 1;
      const paymentId = `pay-${sequence}`;
      decideBooking(bookingId, at, { type: 'RequestPayment', bookingId, paymentId, provider: 'simulator' });
      const amount = bookingOf(bookingId).payments.at(-1)?.amountCents ?? booking.priceCents;
      decideBooking(bookingId, at, {
        type: 'RecordPaymentSucceeded',
        bookingId,
        paymentId,
        provider: 'simulator',
        amountCents: amount,
        providerTransactionId: `tx-${sequence}`,
      });
      const confirmed = bookingOf(bookingId);
      decideCalendar(confirmed.centreId, confirmed.start.slice(0, 10), at, {
        type: 'ConfirmHold',
        centreId: confirmed.centreId,
        date: confirmed.start.slice(0, 10),
        reservationId: confirmed.reservationId,
        bookingId,
      });
    },
    payAndFail: (bookingId, at) => {
      sequence += 1;
      const paymentId = `pay-${sequence}`;
      decideBooking(bookingId, at, { type: 'RequestPayment', bookingId, paymentId, provider: 'simulator' });
      decideBooking(bookingId, at, {
        type: 'RecordPaymentFailed',
        bookingId,
        paymentId,
        provider: 'simulator',
        reason: 'declined',
        providerTransactionId: `tx-${sequence}`,
      });
    },
    confirmOnSite: (bookingId, at) => {
      decideBooking(bookingId, at, { type: 'ConfirmBooking', bookingId, paymentMode: 'on_site' });
      const booking = bookingOf(bookingId);
      decideCalendar(booking.centreId, booking.start.slice(0, 10), at, {
        type: 'ConfirmHold',
        centreId: booking.centreId,
        date: booking.start.slice(0, 10),
        reservationId: booking.reservationId,
        bookingId,
      });
    },
    cancel: (bookingId, at, options = {}) => {
      decideBooking(bookingId, at, {
        type: 'CancelBooking',
        bookingId,
        by: options.by ?? 'customer',
        reason: options.reason ?? 'customer_request',
        comment: options.comment ?? null,
      });
      freeCalendar(bookingId, at, 'cancelled');
    },
    expire: (bookingId, at) => {
      decideBooking(bookingId, at, { type: 'ExpireBooking', bookingId });
      const booking = bookingOf(bookingId);
      const date = booking.start.slice(0, 10);
      decideCalendar(booking.centreId, date, at, {
        type: 'ReleaseHold',
        centreId: booking.centreId,
        date,
        reservationId: booking.reservationId,
        bookingId,
        reason: 'expired',
      });
    },
    checkIn: (bookingId, at, inspectorId) => {
      const booking = bookingOf(bookingId);
      const date = booking.start.slice(0, 10);
      const reservation = calendars
        .get(`${booking.centreId}/${date}`)
        ?.reservations.find((r) => r.reservationId === booking.reservationId);
      decideBooking(bookingId, at, {
        type: 'CheckInBooking',
        bookingId,
        inspectorId: inspectorId === undefined ? (reservation?.inspectorId ?? null) : inspectorId,
      });
    },
    complete: (bookingId, at, result, inspectorId = null) => {
      decideBooking(bookingId, at, { type: 'RecordResult', bookingId, result, inspectorId });
    },
    noShow: (bookingId, at) => {
      decideBooking(bookingId, at, { type: 'RecordNoShow', bookingId });
      freeCalendar(bookingId, at, 'no_show');
    },
    reschedule: (bookingId, input) => {
      const before = bookingOf(bookingId);
      const centreId = input.centreId ?? before.centreId;
      const held = hold(
        bookingId,
        centreId,
        input.date,
        input.start,
        input.at,
        { controlType: before.controlType, category: before.vehicle.category, fuel: before.vehicle.fuel },
        undefined,
      );
      decideBooking(bookingId, input.at, {
        type: 'RescheduleBooking',
        bookingId,
        by: input.by ?? 'call_centre',
        hold: held,
      });
      const oldDate = before.start.slice(0, 10);
      decideCalendar(before.centreId, oldDate, input.at, {
        type: 'FreeReservation',
        centreId: before.centreId,
        date: oldDate,
        reservationId: before.reservationId,
        bookingId,
        reason: 'rescheduled',
      });
      decideCalendar(centreId, input.date, input.at, {
        type: 'ConfirmHold',
        centreId,
        date: input.date,
        reservationId: held.reservationId,
        bookingId,
      });
    },
    note: (bookingId, at, noteId, text) => {
      decideBooking(bookingId, at, { type: 'AddBookingNote', bookingId, noteId, text });
    },
    block: (centreId, date, at, block) => {
      decideCalendar(centreId, date, at, { type: 'BlockPeriod', centreId, date, ...block });
    },
    unblock: (centreId, date, at, blockId) => {
      decideCalendar(centreId, date, at, { type: 'UnblockPeriod', centreId, date, blockId });
    },
    reassign: (bookingId, at, toInspectorId) => {
      const booking = bookingOf(bookingId);
      const date = booking.start.slice(0, 10);
      decideCalendar(booking.centreId, date, at, {
        type: 'ReassignInspector',
        centreId: booking.centreId,
        date,
        reservationId: booking.reservationId,
        toInspectorId,
        reason: 'manual',
      });
    },
    booking: (bookingId) => bookings.get(bookingId) ?? bookingDecider.initialState(),
  };
  return story;
}

// ---------------------------------------------------------------------------------------------
// Crypto-shredding, as a projector sees it
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function erasedFields(data: Json, paths: readonly string[]): Json {
  const copy: Json = structuredClone(data);
  for (const path of paths) {
    const parts = path.split('.');
    let at: Json | undefined = copy;
    for (const part of parts.slice(0, -1)) {
      const next: unknown = at?.[part];
      at = typeof next === 'object' && next !== null ? (next as Json) : undefined;
    }
    const last = parts.at(-1);
    if (at !== undefined && last !== undefined && at[last] !== undefined && at[last] !== null)
      at[last] = ERASED;
  }
  return copy;
}

/**
 * The events as the vault decrypts them once `subjectId`'s key is destroyed: every personal field
 * of that customer reads `[effacé]` (the booking's own stream, and waitlist contacts naming them).
 */
export function afterErasure(events: readonly SpecEvent[], subjectId: string): SpecEvent[] {
  const erasedBookings = new Set<string>();
  return events.map((event) => {
    const data: Json = { ...event.data };
    let paths: readonly string[] = [];
    if (event.type === 'BookingPlaced' && event.data.customerId === subjectId) {
      erasedBookings.add(event.data.bookingId);
      paths = [
        'customer.name',
        'customer.email',
        'customer.phone',
        'customer.address',
        'customer.contactName',
        'customer.siret',
        'vehicle.plate',
      ];
    } else if (event.type === 'BookingCancelled' && erasedBookings.has(event.data.bookingId)) {
      paths = ['comment'];
    } else if (event.type === 'BookingNoteAdded' && erasedBookings.has(event.data.bookingId)) {
      paths = ['text'];
    } else if (event.type === 'WaitlistJoined' && event.data.customerId === subjectId) {
      paths = ['contact.email', 'contact.phone'];
    }
    if (paths.length === 0) return event;
    // The erased marker replaces values whatever their schema type, as the real codec does.
    return { ...event, data: erasedFields(data, paths) } as SpecEvent;
  });
}

/**
 * The vault's `PersonalDataErased` record on `subject-<id>` (not a catalogue event: projectors see
 * it in `batch.records` only), typed as a spec event so `given`/`when` can carry it.
 */
export function erasureRecord(subjectId: string, at = '2026-03-20T09:00:00.000Z'): SpecEvent {
  const record = {
    type: 'PersonalDataErased',
    streamName: `subject-${subjectId}`,
    data: {
      subjectId,
      erasedAt: at,
      reason: 'subject_request',
      requestedBy: { id: 'admin-1', role: 'admin_reseau' },
      keyGeneration: 1,
    },
    metadata: { occurredAt: at },
  };
  // Outside the domain catalogue on purpose; the spec only needs its stream name and payload.
  return record as unknown as SpecEvent;
}

/** The network's story followed by `subjectId`'s erasure and a new booking of theirs (a new key). */
export function erasureThenNewBooking(
  story: Story,
  subjectId: string,
): { readonly before: SpecEvent[]; readonly after: SpecEvent[] } {
  const before = story.events();
  story.place({
    bookingId: 'b11',
    customerId: subjectId,
    centreId: 'ct-lyon',
    date: '2026-03-27',
    start: '09:00',
    at: '2026-03-21T09:00:00.000Z',
    customer: {
      kind: 'private',
      name: 'Camille Martin',
      email: 'camille.m@example.fr',
      phone: '06 12 34 56 79',
    },
    plate: 'XY-999-ZA',
  });
  story.confirmOnSite('b11', '2026-03-21T09:01:00.000Z');
  return { before, after: story.events().slice(before.length) };
}
