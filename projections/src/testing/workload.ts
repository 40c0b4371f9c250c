import {
  type Accreditation,
  type ControlType,
  type DomainEvent,
  type EventMetadata,
  type Fuel,
  type PriceEntry,
  schemaVersionOf,
  streamNameOf,
  type VehicleCategory,
  type WeeklyHours,
} from '@pti/events';
import type { EventToAppend, Ledger, Position } from '@pti/platform';
import {
  addDaysToLocalDate,
  availableStarts,
  type BookingCommand,
  type BookingState,
  bookingDecider,
  type CalendarCommand,
  type CalendarState,
  type CentreCommand,
  type CentreState,
  calendarDecider,
  centreDayConfiguration,
  centreDecider,
  DEFAULT_DURATION_MATRIX,
  DEFAULT_TIME_ZONE,
  type DomainError,
  durationRuleOf,
  instantToLocal,
  tryDecide,
} from '@pti/write-side/domain';

/**
 * A deterministic random workload for equivalence tests and benchmarks: it drives the write
 * side's DECIDERS directly (`centreDecider`, `calendarDecider`, `bookingDecider`), folding their
 * events into in-memory state exactly as the command handlers would, and hands out the appends to
 * make (stream + events + metadata). Refused commands (a `DomainError`) are skipped, as a user
 * would see an error.
 *
 * Mix after the centres' setup: place a booking on a free start (HoldSlot + PlaceBooking), confirm
 * (ConfirmHold + ConfirmBooking), release an unconfirmed hold (ReleaseHold + ExpireBooking after
 * the hold time), cancel a confirmed booking (FreeReservation + CancelBooking), block/unblock
 * periods, and configuration changes (hours, policy, closures, absences, deactivation).
 */

export interface WorkloadOptions {
  readonly seed?: number;
  readonly centres?: number;
  /** Workload clock start (also the projection's roll date when used as the runner's clock). */
  readonly start?: Date;
  readonly tenants?: readonly string[];
  /** Booking horizon of the centres (days). */
  readonly horizonDays?: number;
  /** Seconds the clock advances per command, at most. */
  readonly secondsPerCommand?: number;
}

export interface WorkloadAppend {
  readonly stream: string;
  readonly events: readonly EventToAppend[];
}

export interface Workload {
  /** The appends that register and configure every centre. */
  setup(): WorkloadAppend[];
  /** The appends of the next command (empty when it was refused). */
  next(): WorkloadAppend[];
  /** The workload's clock. */
  now(): Date;
  readonly stats: { commands: number; refused: number; events: number };
}

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const PLATE_LETTERS = 'BCDFGHJKLMNPQRTVXYZ';

interface CentreEntry {
  state: CentreState;
  readonly tenantId: string;
  readonly inspectorIds: string[];
}

interface Held {
  readonly centreId: string;
  readonly date: string;
  readonly reservationId: string;
  readonly bookingId: string;
  status: 'held' | 'confirmed' | 'done';
}

/**
 * Tomorrow, 06:00 UTC (wall clock): where the whole-runtime tests start their workload, because the
 * availability keys of past days expire after a minute, which would make comparisons of cache keys
 * depend on how long a run takes.
 */
export function tomorrowMorning(now = Date.now()): Date {
  const tomorrow = new Date(now + 86_400_000);
  tomorrow.setUTCHours(6, 0, 0, 0);
  return tomorrow;
}

export function createWorkload(options: WorkloadOptions = {}): Workload {
  const random = prng(options.seed ?? 42);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const word = () =>
    Math.floor(random() * 4_294_967_296)
      .toString(16)
      .padStart(8, '0');
  const uuid = () => {
    const hex = word() + word() + word() + word();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
  const tenants = options.tenants ?? ['tenant-a', 'tenant-b'];
  const horizonDays = options.horizonDays ?? 14;
  let clock = (options.start ?? new Date('2026-03-02T06:00:00Z')).getTime();
  const stats = { commands: 0, refused: 0, events: 0 };
  const centres = new Map<string, CentreEntry>();
  const calendars = new Map<string, CalendarState>();
  const bookings = new Map<string, BookingState>();
  // Pools by status; an entry moves (swap-remove) when its status changes.
  const pools: Record<'held' | 'confirmed', Held[]> = { held: [], confirmed: [] };
  let centreIds: string[] = [];
  let correlation = 0;

  const metadata = (
    tenantId: string,
    role: EventMetadata['actor']['role'],
    actorId: string,
    causationId: string | null,
  ) => {
    correlation += 1;
    return {
      tenantId,
      actor: { id: actorId, role },
      correlationId: `wl-${correlation}`,
      causationId,
      occurredAt: new Date(clock).toISOString(),
    };
  };
  const toAppend = (
    events: readonly DomainEvent[],
    meta: Omit<EventMetadata, 'schemaVersion'>,
  ): WorkloadAppend[] => {
    const first = events[0];
    if (first === undefined) return [];
    stats.events += events.length;
    return [
      {
        stream: streamNameOf(first),
        events: events.map((event) => ({
          id: uuid(),
          type: event.type,
          data: event.data,
          metadata: { ...meta, schemaVersion: schemaVersionOf(event.type) ?? 1 },
        })),
      },
    ];
  };
  const refused = (error: DomainError | undefined) => {
    if (error !== undefined) stats.refused += 1;
    return [];
  };

  const centre = (
    centreId: string,
    command: CentreCommand,
    role: EventMetadata['actor']['role'] = 'admin_reseau',
  ) => {
    const entry = centres.get(centreId);
    const state = entry?.state ?? centreDecider.initialState();
    const result = tryDecide(centreDecider, command, state, undefined);
    if (!result.ok) return refused(result.error);
    if (entry !== undefined) entry.state = result.events.reduce(centreDecider.evolve, state);
    return toAppend(result.events, metadata(entry?.tenantId ?? 'tenant-a', role, `admin-${int(5)}`, null));
  };

  const hours = (open: string, close: string, saturday: boolean): WeeklyHours => {
    const day = [
      { from: open, to: '12:00' },
      { from: '13:30', to: close },
    ];
    return {
      monday: day,
      tuesday: day,
      wednesday: day,
      thursday: day,
      friday: day,
      saturday: saturday ? [{ from: open, to: '12:00' }] : [],
      sunday: [],
    };
  };
  const prices: PriceEntry[] = [
    { controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 7800 },
    { controlType: 'CTP', vehicleCategory: 'VU', fuel: null, priceCents: 8200 },
    { controlType: 'CTP', vehicleCategory: 'Moto', fuel: null, priceCents: 6500 },
    { controlType: 'CVP', vehicleCategory: 'VP', fuel: null, priceCents: 2500 },
    { controlType: 'CV', vehicleCategory: 'VP', fuel: null, priceCents: 7000 },
  ];

  const setupCentre = (n: number): WorkloadAppend[] => {
    const centreId = `wl-c${n}`;
    const tenantId = tenants[n % tenants.length]!;
    const entry: CentreEntry = { state: centreDecider.initialState(), tenantId, inspectorIds: [] };
    centres.set(centreId, entry);
    const lat = 43 + random() * 6;
    const lon = -1 + random() * 7;
    const week = hours(pick(['07:30', '08:00', '08:30']), pick(['17:00', '18:00', '18:30']), random() < 0.5);
    const out: WorkloadAppend[] = [
      ...centre(centreId, {
        type: 'RegisterCentre',
        centreId,
        code: `WL-${n}`,
        name: `Centre ${n}`,
        address: `${n} avenue de la République`,
        postcode: `${String(1 + (n % 95)).padStart(2, '0')}${String(100 + (n % 900)).padStart(3, '0')}`,
        city: pick(['Lyon', 'Saint-Étienne', 'Grenoble', 'Valence', 'Annecy']),
        position: { lat, lon },
        contact: { phone: '+33478601234', email: `centre${n}@pti-controle.fr` },
      }),
      ...centre(centreId, { type: 'SetOpeningHours', centreId, week }),
      ...centre(centreId, { type: 'SetPriceList', centreId, currency: 'EUR', entries: prices }),
      ...centre(centreId, {
        type: 'SetBookingPolicy',
        centreId,
        horizonDays,
        overbookingPercent: pick([0, 10]),
        minimumNoticeMinutes: pick([0, 60, 120]),
      }),
    ];
    const inspectors = 1 + int(3);
    for (let i = 0; i < inspectors; i += 1) {
      const inspectorId = uuid();
      entry.inspectorIds.push(inspectorId);
      const accreditations: Accreditation[] =
        i === 0
          ? ['VL']
          : pick([
              ['VL', 'L'],
              ['VL', 'GAZ'],
              ['VL', 'L', 'GAZ'],
            ]);
      out.push(
        ...centre(centreId, {
          type: 'AddInspector',
          centreId,
          inspectorId,
          name: `Inspecteur ${i}`,
          userId: null,
          accreditations,
        }),
        ...centre(centreId, { type: 'SetInspectorSchedule', centreId, inspectorId, week }),
      );
    }
    return out;
  };

  const today = () => instantToLocal(new Date(clock), DEFAULT_TIME_ZONE).date;
  const calendarStreamKey = (centreId: string, date: string) => `${centreId}|${date}`;

  const calendar = (
    centreId: string,
    date: string,
    command: CalendarCommand,
    role: EventMetadata['actor']['role'],
    causationId: string | null,
  ): { appends: WorkloadAppend[]; events: readonly DomainEvent[] } => {
    const entry = centres.get(centreId);
    if (entry === undefined) return { appends: [], events: [] };
    const key = calendarStreamKey(centreId, date);
    const state = calendars.get(key) ?? calendarDecider.initialState();
    const context = { now: new Date(clock), day: centreDayConfiguration(entry.state, date), newId: uuid };
    const result = tryDecide(calendarDecider, command, state, context);
    if (!result.ok) return { appends: refused(result.error), events: [] };
    calendars.set(key, result.events.reduce(calendarDecider.evolve, state));
    return {
      appends: toAppend(result.events, metadata(entry.tenantId, role, `user-${int(50)}`, causationId)),
      events: result.events,
    };
  };

  const booking = (
    bookingId: string,
    centreId: string,
    command: BookingCommand,
    causationId: string | null,
  ) => {
    const state = bookings.get(bookingId) ?? bookingDecider.initialState();
    const entry = centres.get(centreId)!;
    const terms = {
      [centreId]: {
        priceList: entry.state.priceList?.entries ?? [],
        cancellationCutoffHours: entry.state.policy.cancellationCutoffHours,
        freeContreVisiteDays: entry.state.policy.freeContreVisiteDays,
      },
    };
    const tenantId = entry.tenantId;
    const context = {
      now: new Date(clock),
      timeZone: DEFAULT_TIME_ZONE,
      randomBytes: (size: number) => Uint8Array.from({ length: size }, () => int(256)),
      durationMatrix: DEFAULT_DURATION_MATRIX,
      centres: terms,
      previousInspection: null,
    };
    const result = tryDecide(bookingDecider, command, state, context);
    if (!result.ok) return refused(result.error);
    bookings.set(bookingId, result.events.reduce(bookingDecider.evolve, state));
    return toAppend(result.events, metadata(tenantId, 'motorist', `cust-${int(1000)}`, causationId));
  };

  const placeBooking = (): WorkloadAppend[] => {
    const centreId = pick(centreIds);
    const entry = centres.get(centreId)!;
    const date = addDaysToLocalDate(today(), int(horizonDays + 1));
    const controlType: ControlType = pick(['CTP', 'CTP', 'CTP', 'CVP', 'CV']);
    const category: VehicleCategory = controlType === 'CTP' ? pick(['VP', 'VP', 'VU', 'Moto']) : 'VP';
    const fuel: Fuel =
      category === 'Moto' ? 'Essence' : pick(['Essence', 'Diesel', 'Diesel', 'Gaz', 'Hybride', 'Electrique']);
    const rule = durationRuleOf(DEFAULT_DURATION_MATRIX, controlType, category, fuel);
    if (rule === undefined) return refused(undefined);
    const durationMinutes = fuel === 'Gaz' ? rule.minutes + rule.gazExtraMinutes : rule.minutes;
    const day = centreDayConfiguration(entry.state, date);
    const state = calendars.get(calendarStreamKey(centreId, date)) ?? calendarDecider.initialState();
    const starts = availableStarts(
      day,
      state,
      { controlType, category, fuel, durationMinutes },
      new Date(clock),
    );
    const chosen = starts.length === 0 ? undefined : pick(starts);
    if (chosen === undefined) {
      stats.refused += 1;
      return [];
    }
    const bookingId = uuid();
    const reservationId = uuid();
    const vehicle = {
      plate: `${pick([...PLATE_LETTERS])}${pick([...PLATE_LETTERS])}-${100 + int(900)}-${pick([...PLATE_LETTERS])}${pick([...PLATE_LETTERS])}`,
      category,
      fuel,
    };
    const held = calendar(
      centreId,
      date,
      {
        type: 'HoldSlot',
        centreId,
        date,
        reservationId,
        bookingId,
        start: chosen.start,
        durationMinutes,
        controlType,
        vehicle: { category, fuel },
      },
      'motorist',
      null,
    );
    const slot = held.events.find((event) => event.type === 'SlotHeld');
    if (slot === undefined || slot.type !== 'SlotHeld') return held.appends;
    pools.held.push({ centreId, date, reservationId, bookingId, status: 'held' });
    const customerId = uuid();
    return [
      ...held.appends,
      ...booking(
        bookingId,
        centreId,
        {
          type: 'PlaceBooking',
          bookingId,
          customerId,
          customer: {
            kind: 'private',
            name: `Client ${int(10_000)}`,
            email: `client${int(10_000)}@example.fr`,
            phone: `+3361${String(int(10_000_000)).padStart(7, '0')}`,
          },
          vehicle,
          controlType,
          channel: pick(['web', 'mobile', 'call_centre', 'backoffice']),
          paymentMode: 'on_site',
          hold: slot.data,
        },
        reservationId,
      ),
    ];
  };

  /** Takes a random hold of that status out of its pool. */
  const takeHold = (status: 'held' | 'confirmed'): Held | undefined => {
    const pool = pools[status];
    if (pool.length === 0) return undefined;
    const at = int(pool.length);
    const hold = pool[at]!;
    pool[at] = pool[pool.length - 1]!;
    pool.pop();
    return hold;
  };

  const confirm = (): WorkloadAppend[] => {
    const hold = takeHold('held');
    if (hold === undefined) return [];
    const { centreId, date, reservationId, bookingId } = hold;
    const done = calendar(
      centreId,
      date,
      { type: 'ConfirmHold', centreId, date, reservationId, bookingId },
      'system',
      bookingId,
    );
    if (done.events.length === 0) {
      hold.status = 'done';
      return done.appends;
    }
    hold.status = 'confirmed';
    pools.confirmed.push(hold);
    return [
      ...done.appends,
      ...booking(
        bookingId,
        centreId,
        { type: 'ConfirmBooking', bookingId, paymentMode: 'on_site' },
        reservationId,
      ),
    ];
  };

  const release = (): WorkloadAppend[] => {
    const hold = takeHold('held');
    if (hold === undefined) return [];
    const { centreId, date, reservationId, bookingId } = hold;
    hold.status = 'done';
    const done = calendar(
      centreId,
      date,
      { type: 'ReleaseHold', centreId, date, reservationId, bookingId, reason: 'expired' },
      'system',
      bookingId,
    );
    return [
      ...done.appends,
      ...booking(bookingId, centreId, { type: 'ExpireBooking', bookingId }, reservationId),
    ];
  };

  const cancel = (): WorkloadAppend[] => {
    const hold = takeHold('confirmed');
    if (hold === undefined) return [];
    const { centreId, date, reservationId, bookingId } = hold;
    hold.status = 'done';
    const cancelled = booking(
      bookingId,
      centreId,
      { type: 'CancelBooking', bookingId, by: 'customer', reason: 'customer_request', comment: null },
      null,
    );
    const freed = calendar(
      centreId,
      date,
      { type: 'FreeReservation', centreId, date, reservationId, bookingId, reason: 'cancelled' },
      'system',
      bookingId,
    );
    return [...cancelled, ...freed.appends];
  };

  const block = (): WorkloadAppend[] => {
    const centreId = pick(centreIds);
    const date = addDaysToLocalDate(today(), int(horizonDays + 1));
    const key = calendarStreamKey(centreId, date);
    const existing = (calendars.get(key)?.blocks ?? [])[0];
    if (existing !== undefined && random() < 0.6) {
      return calendar(
        centreId,
        date,
        { type: 'UnblockPeriod', centreId, date, blockId: existing.blockId },
        'responsable_centre',
        null,
      ).appends;
    }
    const from = pick(['09:00', '10:00', '14:00', '15:30']);
    const to = from === '15:30' ? '16:30' : `${String(Number(from.slice(0, 2)) + 1).padStart(2, '0')}:00`;
    return calendar(
      centreId,
      date,
      {
        type: 'BlockPeriod',
        centreId,
        date,
        blockId: uuid(),
        from,
        to,
        inspectorId: null,
        label: 'Maintenance',
      },
      'responsable_centre',
      null,
    ).appends;
  };

  const reconfigure = (): WorkloadAppend[] => {
    const centreId = pick(centreIds);
    const entry = centres.get(centreId)!;
    switch (int(6)) {
      case 0:
        return centre(
          centreId,
          {
            type: 'SetOpeningHours',
            centreId,
            week: hours(pick(['07:30', '08:00']), pick(['17:30', '18:30']), random() < 0.5),
          },
          'responsable_centre',
        );
      case 1:
        return centre(
          centreId,
          {
            type: 'SetBookingPolicy',
            centreId,
            horizonDays: pick([horizonDays, horizonDays - 3]),
            overbookingPercent: pick([0, 10, 20]),
          },
          'responsable_centre',
        );
      case 2: {
        const from = addDaysToLocalDate(today(), 1 + int(horizonDays));
        return centre(
          centreId,
          {
            type: 'AddClosure',
            centreId,
            closureId: uuid(),
            from,
            to: from,
            label: 'Fermeture exceptionnelle',
          },
          'responsable_centre',
        );
      }
      case 3: {
        const inspectorId = pick(entry.inspectorIds);
        const day = addDaysToLocalDate(today(), 1 + int(horizonDays));
        return centre(
          centreId,
          {
            type: 'DeclareInspectorAbsence',
            centreId,
            inspectorId,
            absenceId: uuid(),
            from: `${day}T08:00`,
            to: `${day}T12:00`,
            kind: 'training',
          },
          'responsable_centre',
        );
      }
      case 4:
        return entry.state.status === 'active'
          ? centre(centreId, { type: 'DeactivateCentre', centreId, reason: 'Travaux' })
          : centre(centreId, { type: 'ReactivateCentre', centreId });
      default:
        return entry.state.status === 'inactive'
          ? centre(centreId, { type: 'ReactivateCentre', centreId })
          : [];
    }
  };

  return {
    stats,
    now: () => new Date(clock),
    setup: () => {
      const out: WorkloadAppend[] = [];
      for (let n = 0; n < (options.centres ?? 10); n += 1) out.push(...setupCentre(n));
      centreIds = [...centres.keys()];
      return out;
    },
    next: () => {
      stats.commands += 1;
      clock += 1_000 * (1 + int(options.secondsPerCommand ?? 30));
      const roll = random();
      if (roll < 0.45) return placeBooking();
      if (roll < 0.65) return confirm();
      if (roll < 0.75) return release();
      if (roll < 0.85) return cancel();
      if (roll < 0.93) return block();
      return reconfigure();
    },
  };
}

/**
 * Appends in order, one stream append per item (`any` revision: the workload is the only writer).
 * Resolves the position of the last append (for `waitForCatchUp`), undefined when there was none.
 */
export async function appendAll(
  ledger: Ledger,
  appends: readonly WorkloadAppend[],
): Promise<Position | undefined> {
  let last: Position | undefined;
  for (const append of appends) last = (await ledger.append(append.stream, append.events, 'any')).position;
  return last;
}
