import { randomBytes, randomUUID } from 'node:crypto';
import {
  type BookingPlaced,
  bookingStream,
  calendarStream,
  centreStream,
  type EventMetadata,
  type PaymentProvider as PaymentProviderName,
  schemaVersionOf,
  upcast,
  type WeeklyHours,
} from '@pti/events';
import { type Ledger, WrongExpectedRevisionError } from '@pti/platform';
import {
  type BookingCommand,
  type BookingContext,
  bookingDecider,
  type CalendarCommand,
  type CalendarContext,
  type CentreCommand,
  type CentreState,
  calendarDecider,
  centreDayConfiguration,
  centreDecider,
  DEFAULT_DURATION_MATRIX,
  type Decider,
  DomainError,
  type HeldReservation,
} from '@pti/write-side/domain';
import type { CommandOutcome, ExpireBookingOutcome, SagaCommands } from '../commands/saga-commands.js';
import type { ManualClock } from '../runtime/clock.js';
import type { SagaOrigin } from '../runtime/saga.js';

/**
 * A real booking world for the sagas' tests: the write side's pure deciders over a real ledger,
 * driven the way its command handlers drive them (load, decide, append with the expected revision,
 * retry on conflict). `commands` implements the sagas' command port on it, mapping domain refusals
 * to `refused` outcomes exactly as the production wiring must.
 */
export const TENANT = 'tenant-test';
export const CENTRE_CODE = 'CT-LYON-GERLAND';
/** Tuesday 16 June 2026; the world's clock starts the day before at 10:00 in Paris. */
export const DAY = '2026-06-16';
export const WORLD_START = '2026-06-15T08:00:00.000Z';

const SPLIT_DAY = [
  { from: '08:00', to: '12:00' },
  { from: '14:00', to: '18:00' },
];
const WEEK: WeeklyHours = {
  monday: SPLIT_DAY,
  tuesday: SPLIT_DAY,
  wednesday: SPLIT_DAY,
  thursday: SPLIT_DAY,
  friday: SPLIT_DAY,
  saturday: SPLIT_DAY,
  sunday: [],
};

interface DecidedEvent {
  readonly type: string;
  readonly data: object;
}

export interface BookedSlot {
  readonly centreId: string;
  readonly date: string;
  readonly reservationId: string;
  readonly bookingId: string;
  readonly expiresAt: string;
  readonly placed: BookingPlaced | null;
}

export interface LedgerWorld {
  readonly ledger: Ledger;
  readonly clock: ManualClock;
  readonly commands: SagaCommands;
  /** Every command the port received, in order (name and booking or reservation). */
  readonly received: { readonly command: string; readonly id: string; readonly origin: SagaOrigin }[];
  registerCentre(centreId: string): Promise<void>;
  /** Holds a slot; `place: false` leaves an orphan hold (the booking append "never happened"). */
  book(input: {
    readonly centreId: string;
    readonly date?: string;
    readonly start: string;
    readonly paymentMode?: 'online' | 'on_site';
    readonly place?: boolean;
    readonly customerEmail?: string;
  }): Promise<BookedSlot>;
  requestPayment(bookingId: string, paymentId: string, provider: PaymentProviderName): Promise<number>;
  /** An on-site booking confirmed by the write side: booking, then calendar. */
  confirmOnSite(slot: BookedSlot): Promise<void>;
  cancel(bookingId: string, by?: 'customer' | 'centre'): Promise<void>;
  /** Staff move a confirmed booking: a new hold, then `RescheduleBooking` (the old reservation stays to the sagas). */
  reschedule(slot: BookedSlot, start: string): Promise<BookedSlot>;
  checkIn(bookingId: string, inspectorId: string): Promise<void>;
  /** Event types of a stream, in order. */
  types(stream: string): Promise<string[]>;
  /** Events of a stream as `{ type, data }`. */
  events(stream: string): Promise<{ type: string; data: Record<string, unknown>; metadata: EventMetadata }[]>;
}

function metadataFor(origin: SagaOrigin | undefined, type: string, now: Date): EventMetadata {
  return {
    tenantId: origin?.tenantId ?? TENANT,
    actor: origin?.actor ?? { id: 'motorist-1', role: 'motorist' },
    correlationId: origin?.correlationId ?? randomUUID(),
    causationId: origin?.causationId ?? null,
    occurredAt: now.toISOString(),
    schemaVersion: schemaVersionOf(type) ?? 1,
  };
}

export function createLedgerWorld(ledger: Ledger, clock: ManualClock): LedgerWorld {
  const received: LedgerWorld['received'] = [];

  async function execute<C, S, E extends DecidedEvent, X>(
    stream: string,
    decider: Decider<C, S, E, X>,
    command: C,
    context: X | ((state: S) => X),
    origin?: SagaOrigin,
  ): Promise<readonly E[]> {
    for (let attempt = 1; ; attempt++) {
      const recorded = await ledger.readStream(stream);
      let state = decider.initialState();
      for (const event of recorded) {
        const data = upcast(event.type, event.metadata.schemaVersion, event.data);
        state = decider.evolve(state, { type: event.type, data } as E);
      }
      const ctx = typeof context === 'function' ? (context as (s: S) => X)(state) : context;
      const events = decider.decide(command, state, ctx);
      if (events.length === 0) return events;
      const now = clock.now();
      try {
        await ledger.append(
          stream,
          events.map((event) => ({
            id: randomUUID(),
            type: event.type,
            data: event.data as Record<string, unknown>,
            metadata: metadataFor(origin, event.type, now),
          })),
          BigInt(recorded.length),
        );
        return events;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= 5) throw error;
      }
    }
  }

  async function centreState(centreId: string): Promise<CentreState> {
    const recorded = await ledger.readStream(centreStream(centreId));
    let state = centreDecider.initialState();
    for (const event of recorded) {
      state = centreDecider.evolve(state, { type: event.type, data: event.data } as Parameters<
        typeof centreDecider.evolve
      >[1]);
    }
    return state;
  }

  async function calendarContext(centreId: string, date: string): Promise<CalendarContext> {
    return {
      now: clock.now(),
      day: centreDayConfiguration(await centreState(centreId), date),
      newId: randomUUID,
    };
  }

  async function bookingContext(centreId: string | null): Promise<BookingContext> {
    const centres: Record<string, BookingContext['centres'][string]> = {};
    if (centreId !== null) {
      const state = await centreState(centreId);
      centres[centreId] = {
        priceList: state.priceList?.entries ?? [],
        cancellationCutoffHours: state.policy.cancellationCutoffHours,
        freeContreVisiteDays: state.policy.freeContreVisiteDays,
      };
    }
    return {
      now: clock.now(),
      timeZone: 'Europe/Paris',
      randomBytes: (size) => randomBytes(size),
      durationMatrix: DEFAULT_DURATION_MATRIX,
      centres,
      previousInspection: null,
    };
  }

  async function bookingCentre(bookingId: string): Promise<string | null> {
    const recorded = await ledger.readStream(bookingStream(bookingId), { limit: 1 });
    const first = recorded[0];
    return first?.type === 'BookingPlaced' ? String(first.data.centreId) : null;
  }

  const calendar = async (command: CalendarCommand, origin?: SagaOrigin) =>
    execute(
      calendarStream(command.centreId, command.date),
      calendarDecider,
      command,
      await calendarContext(command.centreId, command.date),
      origin,
    );

  const booking = async (command: BookingCommand, origin?: SagaOrigin) =>
    execute(
      bookingStream(command.bookingId),
      bookingDecider,
      command,
      await bookingContext(
        command.type === 'PlaceBooking' ? command.hold.centreId : await bookingCentre(command.bookingId),
      ),
      origin,
    );

  const centre = (command: CentreCommand) =>
    execute(centreStream(command.centreId), centreDecider, command, undefined);

  /** A command through the port: refusals become `refused`, an empty decision `unchanged`. */
  async function outcomeOf(run: () => Promise<readonly DecidedEvent[]>): Promise<CommandOutcome> {
    try {
      return (await run()).length === 0 ? { outcome: 'unchanged' } : { outcome: 'applied' };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const reason = error.details.reason;
      return {
        outcome: 'refused',
        code: error.code,
        message: error.message,
        ...(typeof reason === 'string' ? { reason } : {}),
      };
    }
  }

  const note = (command: string, id: string, origin: SagaOrigin) => received.push({ command, id, origin });

  const commands: SagaCommands = {
    async expireBooking({ bookingId }, origin): Promise<ExpireBookingOutcome> {
      note('ExpireBooking', bookingId, origin);
      const outcome = await outcomeOf(() => booking({ type: 'ExpireBooking', bookingId }, origin));
      if (outcome.outcome !== 'refused') return { outcome: 'expired' };
      switch (outcome.reason) {
        case 'BOOKING_NOT_FOUND':
          return { outcome: 'not_found' };
        case 'ALREADY_CONFIRMED':
          return { outcome: 'confirmed' };
        case 'BOOKING_CANCELLED':
          return { outcome: 'ended', status: 'cancelled' };
        case 'BOOKING_NO_SHOW':
          return { outcome: 'ended', status: 'no_show' };
        case 'HOLD_NOT_EXPIRED': {
          const placed = (await ledger.readStream(bookingStream(bookingId), { limit: 1 }))[0];
          return { outcome: 'hold_running', holdExpiresAt: String(placed?.data.holdExpiresAt) };
        }
        default:
          throw new Error(`unexpected ExpireBooking refusal: ${outcome.code} ${outcome.message}`);
      }
    },
    releaseHold: (input, origin) => {
      note('ReleaseHold', input.reservationId, origin);
      return outcomeOf(() => calendar({ type: 'ReleaseHold', ...input }, origin));
    },
    confirmHold: (input, origin) => {
      note('ConfirmHold', input.reservationId, origin);
      return outcomeOf(() => calendar({ type: 'ConfirmHold', ...input }, origin));
    },
    freeReservation: (input, origin) => {
      note('FreeReservation', input.reservationId, origin);
      return outcomeOf(() => calendar({ type: 'FreeReservation', ...input }, origin));
    },
    recordPaymentSucceeded: (input, origin) => {
      note('RecordPaymentSucceeded', input.bookingId, origin);
      return outcomeOf(() => booking({ type: 'RecordPaymentSucceeded', ...input }, origin));
    },
    recordPaymentFailed: (input, origin) => {
      note('RecordPaymentFailed', input.bookingId, origin);
      return outcomeOf(() => booking({ type: 'RecordPaymentFailed', ...input }, origin));
    },
    recordResult: (input, origin) => {
      note('RecordResult', input.bookingId, origin);
      return outcomeOf(() => booking({ type: 'RecordResult', ...input }, origin));
    },
  };

  return {
    ledger,
    clock,
    commands,
    received,
    async registerCentre(centreId) {
      const inspectors: [string, ('VL' | 'L' | 'GAZ')[]][] = [
        ['insp-a', ['VL', 'L', 'GAZ']],
        ['insp-b', ['VL']],
      ];
      const steps: CentreCommand[] = [
        {
          type: 'RegisterCentre',
          centreId,
          code: CENTRE_CODE,
          name: 'Contrôle Technique Lyon Gerland',
          address: '42 avenue Jean Jaurès',
          postcode: '69007',
          city: 'Lyon',
          position: { lat: 45.7441, lon: 4.8419 },
          contact: { phone: '+33478601234', email: 'lyon-gerland@pti-controle.fr' },
        },
        { type: 'SetOpeningHours', centreId, week: WEEK },
        {
          type: 'SetPriceList',
          centreId,
          currency: 'EUR',
          entries: [
            { controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 7800 },
            { controlType: 'CVP', vehicleCategory: 'VP', fuel: null, priceCents: 2500 },
          ],
        },
        ...inspectors.flatMap(([inspectorId, accreditations]): CentreCommand[] => [
          {
            type: 'AddInspector',
            centreId,
            inspectorId,
            name: `Inspecteur ${inspectorId}`,
            userId: null,
            accreditations,
          },
          { type: 'SetInspectorSchedule', centreId, inspectorId, week: WEEK },
        ]),
      ];
      for (const step of steps) await centre(step);
    },
    async book(input) {
      const date = input.date ?? DAY;
      const reservationId = randomUUID();
      const bookingId = randomUUID();
      const held = await calendar({
        type: 'HoldSlot',
        centreId: input.centreId,
        date,
        reservationId,
        bookingId,
        start: input.start,
        durationMinutes: 45,
        controlType: 'CTP',
        vehicle: { category: 'VP', fuel: 'Diesel' },
      });
      const slotHeld = held[0];
      if (slotHeld?.type !== 'SlotHeld') throw new Error('the hold was not made');
      const hold: HeldReservation = slotHeld.data;
      let placed: BookingPlaced | null = null;
      if (input.place !== false) {
        const events = await booking({
          type: 'PlaceBooking',
          bookingId,
          customerId: randomUUID(),
          customer: {
            kind: 'private',
            name: 'Camille Martin',
            email: input.customerEmail ?? 'camille.martin@example.fr',
            phone: '06 12 34 56 78',
            address: null,
          },
          vehicle: { plate: 'ab 123 cd', category: 'VP', fuel: 'Diesel' },
          controlType: 'CTP',
          channel: 'web',
          paymentMode: input.paymentMode ?? 'online',
          hold,
        });
        const first = events[0];
        if (first?.type === 'BookingPlaced') placed = first.data;
      }
      return { centreId: input.centreId, date, reservationId, bookingId, expiresAt: hold.expiresAt, placed };
    },
    async requestPayment(bookingId, paymentId, provider) {
      const events = await booking({ type: 'RequestPayment', bookingId, paymentId, provider });
      const requested = events[0];
      if (requested?.type !== 'PaymentRequested') throw new Error('no payment requested');
      return requested.data.amountCents;
    },
    async confirmOnSite(slot) {
      await booking({ type: 'ConfirmBooking', bookingId: slot.bookingId, paymentMode: 'on_site' });
      await calendar({
        type: 'ConfirmHold',
        centreId: slot.centreId,
        date: slot.date,
        reservationId: slot.reservationId,
        bookingId: slot.bookingId,
      });
    },
    async cancel(bookingId, by = 'customer') {
      await booking({
        type: 'CancelBooking',
        bookingId,
        by,
        reason: by === 'customer' ? 'customer_request' : 'centre_closure',
        comment: null,
      });
    },
    async reschedule(slot, start) {
      const reservationId = randomUUID();
      const held = await calendar({
        type: 'HoldSlot',
        centreId: slot.centreId,
        date: slot.date,
        reservationId,
        bookingId: slot.bookingId,
        start,
        durationMinutes: 45,
        controlType: 'CTP',
        vehicle: { category: 'VP', fuel: 'Diesel' },
      });
      const slotHeld = held[0];
      if (slotHeld?.type !== 'SlotHeld') throw new Error('the new hold was not made');
      await booking({
        type: 'RescheduleBooking',
        bookingId: slot.bookingId,
        by: 'centre',
        hold: slotHeld.data,
      });
      return { ...slot, reservationId, expiresAt: slotHeld.data.expiresAt };
    },
    async checkIn(bookingId, inspectorId) {
      await booking({ type: 'CheckInBooking', bookingId, inspectorId });
    },
    async types(stream) {
      return (await ledger.readStream(stream)).map((event) => event.type);
    },
    async events(stream) {
      return (await ledger.readStream(stream)).map((event) => ({
        type: event.type,
        data: { ...event.data },
        metadata: event.metadata,
      }));
    },
  };
}
