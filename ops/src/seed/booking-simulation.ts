import type { Channel, ControlType, Fuel, InspectionResult, VehicleCategory } from '@pti/events';
import type { Ledger } from '@pti/platform';
import {
  addDaysToLocalDate,
  type CentreSetup,
  CONTRE_VISITE_OF,
  type CommandMeta,
  type CustomerInput,
  cancelBooking,
  checkInBooking,
  confirmBooking,
  durationMinutes,
  isDomainError,
  localDateTimeToInstant,
  minutesOfTime,
  type PlacedBooking,
  type PreviousInspection,
  type PreviousInspectionLookup,
  placeBooking,
  recordNoShow,
  recordResult,
  resolveHold,
  timeOfMinutes,
  type WriteSideContext,
  weekdayOfLocalDate,
} from '@pti/write-side';
import { FRENCH_SURNAMES } from './french-surnames.js';
import { poisson, type Random, randomFor, seededUuid } from './seed-random.js';

/**
 * Bookings produced through the write side's command handlers, as they would have happened: a
 * discrete-event simulation over simulated time. Each booking is a chain of commands at instants
 * (placed some days ahead, confirmed minutes later, then cancelled, or checked in and given a
 * result, or recorded as a no-show, and a contre-visite booked after an S or R result); the
 * handlers run with a clock set to each command's instant, so every rule (minimum notice, horizon,
 * hold expiry, cancellation cut-off, check-in day, free contre-visite window) is the real one, and
 * slot conflicts are refused by the calendar like in production (the booking then tries another
 * time, as a customer would). Nothing after the real "now" happens: upcoming days only hold the
 * bookings already made, and today's agenda is partly done.
 *
 * Centres are split into lanes; a lane runs its commands one after the other in time order, lanes
 * run concurrently, all advancing through the same 15-minute windows of simulated time (so the
 * ledger's `occurredAt` stays in order to within a window). Every draw comes from the seed and the
 * booking's key, and every command has an Idempotency-Key derived from it: ids and references are
 * the same from one run to the next.
 */

export interface SimulatedCentre {
  readonly index: number;
  readonly tenantId: string;
  readonly setup: CentreSetup;
  /** Expected bookings on a full weekday (before the booking curve cuts the upcoming days). */
  readonly bookingsPerDay: number;
}

export interface SimulationOptions {
  readonly seed: number;
  /** Namespace of the derived keys (two networks of one ledger must differ). */
  readonly namespace: string;
  /** First and last local day of the appointments (inclusive). */
  readonly firstDay: string;
  readonly lastDay: string;
  /** The real present: nothing is simulated after it. */
  readonly now: Date;
  /** Lanes run concurrently (PostgreSQL: 8; PGlite: 2). */
  readonly concurrency: number;
  readonly onProgress?: (progress: SimulationProgress) => void;
}

export interface SimulationProgress {
  readonly simulatedAt: Date;
  readonly from: Date;
  readonly to: Date;
  readonly commands: number;
  readonly events: number;
  readonly bookings: number;
}

export interface SimulationStats {
  /** Bookings placed (contre-visites included). */
  placed: number;
  contreVisites: number;
  /** Placed, never confirmed: the hold ran out (an abandoned checkout). */
  expired: number;
  confirmedUpcoming: number;
  checkedInNow: number;
  cancelled: number;
  noShows: number;
  results: Record<InspectionResult, number>;
  /** Placements the calendar or a rule refused on every time tried, by code. */
  refused: Record<string, number>;
  /** Later commands refused (should stay empty), by code. */
  errors: Record<string, number>;
  commands: number;
  events: number;
}

// ---------------------------------------------------------------------------------------------
// What is booked: vehicles, customers, channels
// ---------------------------------------------------------------------------------------------

interface Profile {
  readonly weight: number;
  readonly controlType: ControlType;
  readonly category: VehicleCategory;
  readonly fuels: readonly { fuel: Fuel; weight: number }[];
  readonly needs?: 'L' | 'GAZ';
}

const CAR_FUELS = [
  { fuel: 'Diesel', weight: 45 },
  { fuel: 'Essence', weight: 40 },
  { fuel: 'Hybride', weight: 10 },
  { fuel: 'Electrique', weight: 5 },
] as const;

/** Periodic controls of cars dominate; vans, motorcycles (since 2024), gas and voluntary ones follow. */
const PROFILES: readonly Profile[] = [
  { weight: 68, controlType: 'CTP', category: 'VP', fuels: CAR_FUELS },
  { weight: 3, controlType: 'CTP', category: 'VP', fuels: [{ fuel: 'Gaz', weight: 1 }], needs: 'GAZ' },
  { weight: 9, controlType: 'CTP', category: 'VU', fuels: [{ fuel: 'Diesel', weight: 1 }] },
  { weight: 6, controlType: 'CTC', category: 'VU', fuels: [{ fuel: 'Diesel', weight: 1 }] },
  { weight: 7, controlType: 'CTP', category: 'Moto', fuels: [{ fuel: 'Essence', weight: 1 }], needs: 'L' },
  { weight: 2, controlType: 'CTP', category: 'Cyclo', fuels: [{ fuel: 'Essence', weight: 1 }], needs: 'L' },
  { weight: 3, controlType: 'CV', category: 'VP', fuels: CAR_FUELS },
];

const CHANNELS: readonly { channel: Channel; weight: number }[] = [
  { channel: 'web', weight: 55 },
  { channel: 'mobile', weight: 25 },
  { channel: 'call_centre', weight: 12 },
  { channel: 'backoffice', weight: 8 },
];

const FIRST = [
  'Marie',
  'Jean',
  'Pierre',
  'Nathalie',
  'Isabelle',
  'Philippe',
  'Sylvie',
  'Michel',
  'Catherine',
  'Alain',
  'Christine',
  'Patrick',
  'Sandrine',
  'Laurent',
  'Valérie',
  'Stéphane',
  'Céline',
  'David',
  'Julie',
  'Nicolas',
  'Aurélie',
  'Thomas',
  'Emma',
  'Lucas',
  'Chloé',
  'Hugo',
  'Léa',
  'Louis',
  'Manon',
  'Gabriel',
] as const;
const COMPANIES = [
  'Transports',
  'Plomberie',
  'Électricité',
  'Livraisons',
  'Ambulances',
  'Taxis',
  'Bâtiment',
  'Paysages',
  'Menuiserie',
  'Dépannage',
] as const;
/** SIV letters without I, O, U, S and W: never `SS`, never a `WW` temporary plate. */
const PLATE_LETTERS = 'ABCDEFGHJKLMNPQRTVXYZ';

function plateOf(random: Random): string {
  const letter = () => PLATE_LETTERS.charAt(Math.floor(random.next() * PLATE_LETTERS.length));
  return `${letter()}${letter()}-${String(random.int(1, 999)).padStart(3, '0')}-${letter()}${letter()}`;
}

/** 14 digits passing the Luhn check, as a SIRET does. */
function siretOf(random: Random): string {
  const digits = Array.from({ length: 13 }, () => random.int(0, 9));
  const sum = (check: number) =>
    [...digits, check]
      .reverse()
      .map((d, i) => (i % 2 === 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d))
      .reduce((a, b) => a + b, 0);
  const check = Array.from({ length: 10 }, (_, d) => d).find((d) => sum(d) % 10 === 0) ?? 0;
  return [...digits, check].join('');
}

function asciiSlug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.');
}

function customerOf(random: Random, n: string, category: VehicleCategory): CustomerInput {
  const phone = `0${random.pick(['6', '7'])}${String(random.int(10_000_000, 99_999_999))}`;
  const first = random.pick(FIRST);
  const last = random.pick(FRENCH_SURNAMES);
  if (category === 'VU' && random.chance(0.45)) {
    const name = `${random.pick(COMPANIES)} ${last}`;
    return {
      kind: 'company',
      name,
      siret: siretOf(random),
      contactName: `${first} ${last}`,
      email: `contact.${asciiSlug(name)}.${n}@example.fr`,
      phone,
    };
  }
  return {
    kind: 'private',
    name: `${first} ${last}`,
    email: `${asciiSlug(first)}.${asciiSlug(last)}.${n}@example.fr`,
    phone,
  };
}

// ---------------------------------------------------------------------------------------------
// Time helpers
// ---------------------------------------------------------------------------------------------

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const WINDOW = 15 * MINUTE;
const WEEKDAY_KEYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

function intervalsOn(setup: CentreSetup, date: string): readonly { from: string; to: string }[] {
  const key = WEEKDAY_KEYS[weekdayOfLocalDate(date) - 1] ?? 'sunday';
  return setup.openingHours[key];
}

function openMinutes(setup: CentreSetup, date: string): number {
  return intervalsOn(setup, date).reduce((sum, i) => sum + minutesOfTime(i.to) - minutesOfTime(i.from), 0);
}

/** Grid starts (15 min) at which `minutes` fit inside one opening interval of the day. */
function startsOn(setup: CentreSetup, date: string, minutes: number): string[] {
  const starts: string[] = [];
  for (const interval of intervalsOn(setup, date)) {
    for (let m = minutesOfTime(interval.from); m + minutes <= minutesOfTime(interval.to); m += 15) {
      starts.push(timeOfMinutes(m));
    }
  }
  return starts;
}

function daysFrom(first: string, last: string): string[] {
  const days: string[] = [];
  for (let d = first; d <= last; d = addDaysToLocalDate(d, 1)) days.push(d);
  return days;
}

// ---------------------------------------------------------------------------------------------
// The event queue
// ---------------------------------------------------------------------------------------------

interface Action {
  readonly at: number;
  readonly seq: number;
  readonly lane: number;
  readonly run: () => Promise<void>;
}

/** A binary min-heap of actions by (instant, insertion order). */
class ActionQueue {
  private readonly items: Action[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  push(at: number, lane: number, run: () => Promise<void>): void {
    this.items.push({ at, seq: this.seq++, lane, run });
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  peek(): Action | undefined {
    return this.items[0];
  }

  pop(): Action | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (top === undefined || last === undefined || this.items.length === 0) return top;
    this.items[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.items.length && this.before(l, m)) m = l;
      if (r < this.items.length && this.before(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    const x = this.items[a] as Action;
    const y = this.items[b] as Action;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const x = this.items[a] as Action;
    this.items[a] = this.items[b] as Action;
    this.items[b] = x;
  }
}

// ---------------------------------------------------------------------------------------------
// The simulation
// ---------------------------------------------------------------------------------------------

/** Counts the events appended through the ledger (the progress bar's events/s). */
function countingLedger(ledger: Ledger, count: (n: number) => void): Ledger {
  return new Proxy(ledger, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'append' || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result: unknown = await Reflect.apply(value, target, args);
        const events = args[1];
        if (Array.isArray(events)) count(events.length);
        return result;
      };
    },
  });
}

function emptyStats(): SimulationStats {
  return {
    placed: 0,
    contreVisites: 0,
    expired: 0,
    confirmedUpcoming: 0,
    checkedInNow: 0,
    cancelled: 0,
    noShows: 0,
    results: { A: 0, S: 0, R: 0 },
    refused: {},
    errors: {},
    commands: 0,
    events: 0,
  };
}

interface BookingRequest {
  readonly key: string;
  readonly centre: SimulatedCentre;
  readonly lane: number;
  readonly date: string;
  readonly controlType: ControlType;
  readonly vehicle: { readonly plate: string; readonly category: VehicleCategory; readonly fuel: Fuel };
  readonly customer: CustomerInput;
  readonly channel: Channel;
  readonly previousReference: string | null;
  readonly random: Random;
}

export async function simulateBookings(
  base: WriteSideContext,
  centres: readonly SimulatedCentre[],
  options: SimulationOptions,
): Promise<SimulationStats> {
  const stats = emptyStats();
  const nowMs = options.now.getTime();
  const lanes = Math.max(1, Math.min(options.concurrency, centres.length));
  const queue = new ActionQueue();
  const ledger = countingLedger(base.env.ledger, (n) => {
    stats.events += n;
  });
  // Completed S/R inspections of this run, for the contre-visite's price (free in the window).
  const inspections = new Map<string, PreviousInspection>();
  const previousInspections: PreviousInspectionLookup = {
    find: async (tenantId, reference, plate) => {
      const found = inspections.get(`${tenantId}|${reference}`);
      return found !== undefined && found.plate === plate ? found : null;
    },
  };
  const clocks = Array.from({ length: lanes }, () => ({ at: nowMs }));
  const contexts = clocks.map(
    (clock): WriteSideContext => ({
      ...base,
      env: { ...base.env, ledger, now: () => new Date(clock.at) },
      previousInspections,
    }),
  );

  const schedule = (at: number, lane: number, run: () => Promise<void>) => {
    // Nothing happens after the present: later steps of a booking are its future.
    if (at <= nowMs) queue.push(at, lane, run);
  };

  const metaOf = (
    request: BookingRequest,
    step: string,
    actor: CommandMeta['origin']['actor'],
  ): CommandMeta => ({
    origin: { tenantId: request.centre.tenantId, actor, correlationId: `seed-${request.key}` },
    idempotencyKey: `${options.namespace}:${request.key}:${step}`,
  });

  const customerActor = (request: BookingRequest): CommandMeta['origin']['actor'] => {
    switch (request.channel) {
      case 'call_centre':
        return {
          id: seededUuid(options.namespace, 'call-centre-agent', request.centre.tenantId),
          role: 'call_centre',
        };
      case 'backoffice':
        return { id: seededUuid(options.namespace, 'operateur', request.centre.index), role: 'operateur' };
      default:
        return { id: seededUuid(options.namespace, 'motorist', request.customer.email), role: 'motorist' };
    }
  };
  const staff = (request: BookingRequest): CommandMeta['origin']['actor'] => ({
    id: seededUuid(options.namespace, 'operateur', request.centre.index),
    role: 'operateur',
  });

  /** Runs a command; a refusal is counted (and ends the booking's story), anything else aborts the seed. */
  async function attempt<T>(
    lane: number,
    run: (ctx: WriteSideContext) => Promise<T>,
  ): Promise<T | undefined> {
    stats.commands += 1;
    try {
      return await run(contexts[lane] as WriteSideContext);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      const reason = typeof error.details.reason === 'string' ? `/${error.details.reason}` : '';
      const code = `${error.code}${reason}`;
      stats.errors[code] = (stats.errors[code] ?? 0) + 1;
      return undefined;
    }
  }

  function place(request: BookingRequest, at: number, startsTried: number): void {
    schedule(at, request.lane, async () => {
      const { centre, random } = request;
      const minutes = durationMinutes(
        base.durationMatrix,
        request.controlType,
        request.vehicle.category,
        request.vehicle.fuel,
      );
      const starts = startsOn(centre.setup, request.date, minutes);
      if (starts.length === 0) return;
      const start = `${request.date}T${random.pick(starts)}`;
      const startMs = localDateTimeToInstant(request.date, start.slice(11, 16)).getTime();
      const notice = (centre.setup.policy?.minimumNoticeMinutes ?? 60) * MINUTE;
      if (startMs - at < notice) return;
      stats.commands += 1;
      let placed: PlacedBooking;
      try {
        placed = await placeBooking(
          contexts[request.lane] as WriteSideContext,
          {
            centreId: centre.setup.centreId,
            start,
            controlType: request.controlType,
            vehicle: request.vehicle,
            customer: request.customer,
            channel: request.channel,
            paymentMode: 'on_site',
            previousBookingReference: request.previousReference,
          },
          metaOf(request, `place-${startsTried}`, customerActor(request)),
        );
      } catch (error) {
        if (!isDomainError(error)) throw error;
        // The time was taken (or no accredited inspector free): try another, a little later.
        if (startsTried < 3) place(request, at + random.int(1, 4) * MINUTE, startsTried + 1);
        else stats.refused[error.code] = (stats.refused[error.code] ?? 0) + 1;
        return;
      }
      stats.placed += 1;
      if (request.previousReference !== null) stats.contreVisites += 1;
      afterPlacement(request, placed, at, startMs, minutes);
    });
  }

  function afterPlacement(
    request: BookingRequest,
    placed: PlacedBooking,
    placedAt: number,
    startMs: number,
    minutes: number,
  ): void {
    const { random, lane } = request;
    const holdRef = {
      centreId: placed.centreId,
      date: request.date,
      reservationId: placed.reservationId,
      bookingId: placed.bookingId,
    };
    if (random.chance(0.03)) {
      // An abandoned checkout: the hold timer expires it.
      const expiresAt = Date.parse(placed.holdExpiresAt) + random.int(1, 3) * MINUTE;
      schedule(expiresAt, lane, async () => {
        const resolution = await attempt(lane, (ctx) =>
          resolveHold(ctx, holdRef, metaOf(request, 'hold-timer', { id: 'hold-timer', role: 'system' })),
        );
        if (resolution === 'expired') stats.expired += 1;
      });
      return;
    }
    const confirmAt = placedAt + random.int(1, 6) * MINUTE;
    schedule(confirmAt, lane, async () => {
      const confirmed = await attempt(lane, (ctx) =>
        confirmBooking(
          ctx,
          { bookingId: placed.bookingId, paymentMode: 'on_site' },
          metaOf(request, 'confirm', customerActor(request)),
        ),
      );
      if (confirmed === undefined) return;
      afterConfirmation(request, placed, confirmAt, startMs, minutes);
    });
  }

  function afterConfirmation(
    request: BookingRequest,
    placed: PlacedBooking,
    confirmedAt: number,
    startMs: number,
    minutes: number,
  ): void {
    const { random, lane, centre } = request;
    const cutoff = startMs - (centre.setup.policy?.cancellationCutoffHours ?? 24) * HOUR;
    if (random.chance(0.09)) {
      const byCustomer = cutoff - confirmedAt > 2 * HOUR && random.chance(0.85);
      const latest = byCustomer ? cutoff - MINUTE : startMs - 30 * MINUTE;
      if (latest > confirmedAt + MINUTE) {
        const at = confirmedAt + MINUTE + Math.floor(random.next() * (latest - confirmedAt - MINUTE));
        schedule(at, lane, async () => {
          const cancelled = await attempt(lane, (ctx) =>
            cancelBooking(
              ctx,
              byCustomer
                ? { bookingId: placed.bookingId, by: 'customer', reason: 'customer_request' }
                : {
                    bookingId: placed.bookingId,
                    by: 'centre',
                    reason: random.pick(['inspector_unavailable', 'centre_closure', 'other'] as const),
                    comment: 'Annulation par le centre',
                  },
              metaOf(request, 'cancel', byCustomer ? customerActor(request) : staff(request)),
            ),
          );
          if (cancelled !== undefined) stats.cancelled += 1;
        });
        return;
      }
    }
    if (startMs > nowMs) {
      stats.confirmedUpcoming += 1;
      return;
    }
    if (random.chance(0.04)) {
      const at = startMs + random.int(20, 90) * MINUTE;
      if (at > nowMs) {
        stats.confirmedUpcoming += 1;
        return;
      }
      schedule(at, lane, async () => {
        const done = await attempt(lane, (ctx) =>
          recordNoShow(ctx, { bookingId: placed.bookingId }, metaOf(request, 'no-show', staff(request))),
        );
        if (done !== undefined) stats.noShows += 1;
      });
      return;
    }
    const checkInAt = Math.max(confirmedAt + MINUTE, startMs - random.int(0, 10) * MINUTE);
    const inspector =
      placed.inspectorId ??
      centre.setup.inspectors.find((i) => accredited(i.accreditations, request.vehicle))?.inspectorId ??
      null;
    const controleur = { id: inspector ?? staff(request).id, role: 'controleur' as const };
    schedule(checkInAt, lane, async () => {
      const checkedIn = await attempt(lane, (ctx) =>
        checkInBooking(
          ctx,
          // The booking learns its inspector at check-in (the reservation's, or one accredited).
          { bookingId: placed.bookingId, inspectorId: inspector },
          metaOf(request, 'check-in', staff(request)),
        ),
      );
      if (checkedIn === undefined) return;
      const resultAt = startMs + (minutes + random.int(0, 15)) * MINUTE;
      if (resultAt > nowMs) {
        stats.checkedInNow += 1;
        return;
      }
      schedule(resultAt, lane, async () => {
        const result = resultOf(random, request);
        const done = await attempt(lane, (ctx) =>
          recordResult(
            ctx,
            { bookingId: placed.bookingId, result, inspectorId: inspector },
            metaOf(request, 'result', controleur),
          ),
        );
        if (done === undefined) return;
        stats.results[result] += 1;
        if (result !== 'A') afterFailure(request, placed, resultAt, result);
      });
    });
  }

  /** After an S or R result: most motorists book the contre-visite at the same centre. */
  function afterFailure(
    request: BookingRequest,
    placed: PlacedBooking,
    resultAt: number,
    result: InspectionResult,
  ): void {
    const { random } = request;
    const next = CONTRE_VISITE_OF[request.controlType];
    if (next === null || !random.chance(0.8)) return;
    const date = addDaysToLocalDate(request.date, random.int(2, 21));
    if (date > options.lastDay || openMinutes(request.centre.setup, date) === 0) return;
    inspections.set(`${request.centre.tenantId}|${placed.reference}`, {
      bookingId: placed.bookingId,
      centreId: placed.centreId,
      controlType: request.controlType,
      result,
      date: request.date,
      plate: request.vehicle.plate,
    });
    const followUp: BookingRequest = {
      ...request,
      key: `${request.key}-cv`,
      date,
      controlType: next,
      previousReference: placed.reference,
      random: randomFor(options.seed, `${options.namespace}:${request.key}-cv`),
    };
    place(followUp, resultAt + random.int(60, 3 * 24 * 60) * MINUTE, 0);
  }

  // The requests of every centre and day, each scheduled at the instant the customer books.
  const days = daysFrom(options.firstDay, options.lastDay);
  let bookings = 0;
  for (const centre of centres) {
    const lane = centre.index % lanes;
    const policy = centre.setup.policy ?? {};
    for (const date of days) {
      const open = openMinutes(centre.setup, date);
      if (open === 0) continue;
      const dayRandom = randomFor(options.seed, `${options.namespace}:day:${centre.index}:${date}`);
      const count = poisson(dayRandom, (centre.bookingsPerDay * open) / 540);
      for (let n = 0; n < count; n += 1) {
        const key = `${centre.index}-${date}-${n}`;
        const random = randomFor(options.seed, `${options.namespace}:booking:${key}`);
        const request = bookingRequest(random, key, centre, lane, date);
        if (request === undefined) continue;
        const dayStart = localDateTimeToInstant(date, '08:00').getTime();
        const lead = leadMinutes(random, policy.minimumNoticeMinutes ?? 60, policy.horizonDays ?? 90);
        place(request, dayStart - lead * MINUTE, 0);
        bookings += 1;
      }
    }
  }

  // Advance through simulated time, one window at a time, every lane in parallel.
  const first = queue.peek()?.at ?? nowMs;
  let windowEnd = first - (first % WINDOW) + WINDOW;
  let lastReport = 0;
  while (queue.size > 0) {
    for (;;) {
      const head = queue.peek();
      if (head === undefined || head.at >= windowEnd) break;
      const perLane: Action[][] = Array.from({ length: lanes }, () => []);
      while ((queue.peek()?.at ?? Number.POSITIVE_INFINITY) < windowEnd) {
        const action = queue.pop() as Action;
        perLane[action.lane]?.push(action);
      }
      await Promise.all(
        perLane.map(async (actions, lane) => {
          const clock = clocks[lane] as { at: number };
          for (const action of actions) {
            clock.at = action.at;
            await action.run();
          }
        }),
      );
    }
    const reportAt = Date.now();
    if (options.onProgress && (reportAt - lastReport > 200 || queue.size === 0)) {
      lastReport = reportAt;
      options.onProgress({
        simulatedAt: new Date(Math.min(windowEnd, nowMs)),
        from: new Date(first),
        to: options.now,
        commands: stats.commands,
        events: stats.events,
        bookings,
      });
    }
    const next = queue.peek()?.at;
    if (next === undefined) break;
    windowEnd = Math.max(windowEnd + WINDOW, next - (next % WINDOW) + WINDOW);
  }
  return stats;
}

function accredited(
  accreditations: readonly string[],
  vehicle: { readonly category: VehicleCategory; readonly fuel: Fuel },
): boolean {
  if (vehicle.category === 'Moto' || vehicle.category === 'Cyclo') return accreditations.includes('L');
  if (vehicle.fuel === 'Gaz') return accreditations.includes('GAZ');
  return accreditations.includes('VL');
}

function bookingRequest(
  random: Random,
  key: string,
  centre: SimulatedCentre,
  lane: number,
  date: string,
): BookingRequest | undefined {
  const profile = random.weighted(PROFILES, (p) => p.weight);
  const fuel = random.weighted(profile.fuels, (f) => f.weight).fuel;
  const vehicle = { plate: plateOf(random), category: profile.category, fuel };
  // A centre without the accreditation does not get the booking (the customer went elsewhere).
  if (!centre.setup.inspectors.some((i) => accredited(i.accreditations, vehicle))) return undefined;
  return {
    key,
    centre,
    lane,
    date,
    controlType: profile.controlType,
    vehicle,
    customer: customerOf(random, key.replaceAll('-', ''), profile.category),
    channel: random.weighted(CHANNELS, (c) => c.weight).channel,
    previousReference: null,
    random,
  };
}

/** How far ahead a customer books: a few hours (15 %), within the week (45 %), up to a month (40 %). */
function leadMinutes(random: Random, noticeMinutes: number, horizonDays: number): number {
  const r = random.next();
  const minutes =
    r < 0.15
      ? random.int(2 * 60, 24 * 60)
      : r < 0.6
        ? random.int(24 * 60, 7 * 24 * 60)
        : random.int(7 * 24 * 60, 30 * 24 * 60);
  return Math.min(Math.max(minutes, noticeMinutes + 8 * 60 + 15), (horizonDays - 1) * 24 * 60);
}

function resultOf(random: Random, request: BookingRequest): InspectionResult {
  // About one control in five calls for a contre-visite; contre-visites mostly pass.
  const contreVisite = request.previousReference !== null;
  const r = random.next();
  if (contreVisite) return r < 0.92 ? 'A' : r < 0.99 ? 'S' : 'R';
  return r < 0.78 ? 'A' : r < 0.975 ? 'S' : 'R';
}
