import type {
  Accreditation,
  BookingReference,
  Channel,
  ControlType,
  Fuel,
  InspectionResult,
  PaymentMode,
  VehicleCategory,
} from '@pti/events';
import { SUBJECT_STREAM_PREFIX } from '@pti/events';
import type { SqlExecutor } from '@pti/platform';
import type { BookingStatus } from '@pti/write-side/domain';
import { bookingIdsOf } from '../bookings/bookings-projector.js';
import { applyWithErasures, isErasedValue, personalText, revisionNumber } from '../bookings/shared.js';
import {
  type ApplyContext,
  type ApplyMode,
  defineProjector,
  type MaintenanceContext,
  type ProjectionEvent,
  tenantPolicy,
} from '../runtime/projector.js';
import { rowMemory } from '../runtime/row-memory.js';
import { deleteRows, upsertRows } from '../runtime/sql.js';

/**
 * # agenda read model
 *
 * The day plan of a centre for its staff (DESIGN.md §6), built from calendar AND booking events:
 *
 * - `agenda_entries`: what occupies a centre day — every live reservation (held, confirmed,
 *   overbooked without inspector, no-show kept for the record) and every blocked period. Released
 *   holds and freed reservations (cancelled, moved) leave the plan.
 * - `agenda_bookings`: the display fields of each booking (reference, customer display name and
 *   phone, plate, control type, status, result), joined to its reservation at read time, so the two
 *   streams may arrive in any order.
 * - `agenda_inspectors`: the centre's inspectors (the plan's lanes) with their names.
 *
 * Staff-facing: every table has row-level security by tenant. Idempotent by construction: each
 * stream's last folded revision is kept (`agenda_days` for calendar streams, `last_revision` on
 * booking and inspector rows), and an event at or below it is skipped.
 */

export type AgendaEntryStatus = 'held' | 'confirmed' | 'no_show' | 'blocked';

export interface AgendaEntryRow {
  readonly tenant_id: string;
  readonly centre_id: string;
  /** Local date `YYYY-MM-DD`. */
  readonly day: string;
  /** The reservation id, or the block id. */
  readonly entry_id: string;
  readonly kind: 'reservation' | 'block';
  readonly booking_id: string | null;
  /** Local `HH:MM`. */
  readonly start_time: string;
  readonly end_time: string;
  readonly duration_minutes: number | null;
  /** Null: an overbooked reservation waiting for an inspector, or a block of the whole centre. */
  readonly inspector_id: string | null;
  readonly overbooked: boolean;
  readonly status: AgendaEntryStatus;
  readonly hold_expires_at: string | null;
  readonly control_type: ControlType | null;
  readonly vehicle_category: VehicleCategory | null;
  readonly vehicle_fuel: Fuel | null;
  /** A block's label (not personal). */
  readonly label: string | null;
  readonly waitlist_entry_id: string | null;
  readonly updated_at: string;
}

export interface AgendaBookingRow {
  readonly tenant_id: string;
  readonly booking_id: string;
  readonly customer_id: string;
  readonly reference: BookingReference;
  readonly customer_kind: 'private' | 'company';
  /** The name to show: the person's, or the company's. Null once erased. */
  readonly customer_name: string | null;
  readonly customer_contact_name: string | null;
  readonly customer_phone: string | null;
  readonly vehicle_plate: string | null;
  readonly vehicle_category: VehicleCategory;
  readonly vehicle_fuel: Fuel;
  readonly control_type: ControlType;
  readonly status: BookingStatus;
  readonly channel: Channel;
  readonly payment_mode: PaymentMode;
  readonly price_cents: number;
  readonly paid_cents: number;
  readonly result: InspectionResult | null;
  readonly inspector_id: string | null;
  readonly centre_id: string;
  readonly reservation_id: string;
  readonly start_local: string;
  readonly checked_in_at: string | null;
  readonly completed_at: string | null;
  readonly personal_data_erased: boolean;
  readonly last_revision: number;
}

export interface AgendaInspectorRow {
  readonly tenant_id: string;
  readonly centre_id: string;
  readonly inspector_id: string;
  /** Personal (the inspector is the data subject); null once erased. */
  readonly name: string | null;
  readonly accreditations: readonly Accreditation[];
  readonly active: boolean;
  readonly personal_data_erased: boolean;
  readonly last_revision: number;
}

interface DayRow {
  readonly tenant_id: string;
  readonly centre_id: string;
  readonly day: string;
  readonly last_revision: number;
}

// ---------------------------------------------------------------------------------------------
// Folding
// ---------------------------------------------------------------------------------------------

type Event<T extends ProjectionEvent['type']> = Extract<ProjectionEvent, { type: T }>;
type CalendarEvent = Event<
  | 'SlotHeld'
  | 'HoldConfirmed'
  | 'HoldReleased'
  | 'ReservationFreed'
  | 'PeriodBlocked'
  | 'PeriodUnblocked'
  | 'InspectorReassigned'
  | 'OverbookedReservationAssigned'
  | 'WaitlistJoined'
  | 'WaitlistOfferMade'
  | 'WaitlistLeft'
>;

function isCalendarEvent(event: ProjectionEvent): event is CalendarEvent {
  return event.streamName.startsWith('calendar-');
}

/** The entry an event is about (undefined for waitlist events, which the agenda does not show). */
function entryIdOf(event: CalendarEvent): string | undefined {
  switch (event.type) {
    case 'PeriodBlocked':
    case 'PeriodUnblocked':
      return event.data.blockId;
    case 'WaitlistJoined':
    case 'WaitlistOfferMade':
    case 'WaitlistLeft':
      return undefined;
    default:
      return event.data.reservationId;
  }
}

/** The entry after a calendar event: a row, null (it left the plan) or the input (no change). */
export function foldAgendaEntry(
  entry: AgendaEntryRow | null | undefined,
  event: CalendarEvent,
): AgendaEntryRow | null | undefined {
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'SlotHeld': {
      const data = event.data;
      return {
        tenant_id: event.metadata.tenantId,
        centre_id: data.centreId,
        day: data.date,
        entry_id: data.reservationId,
        kind: 'reservation',
        booking_id: data.bookingId,
        start_time: data.start,
        end_time: data.end,
        duration_minutes: data.durationMinutes,
        inspector_id: data.inspectorId,
        overbooked: data.overbooked,
        status: 'held',
        hold_expires_at: data.expiresAt,
        control_type: data.controlType,
        vehicle_category: data.vehicle.category,
        vehicle_fuel: data.vehicle.fuel,
        label: null,
        waitlist_entry_id: data.waitlistEntryId,
        updated_at: at,
      };
    }
    case 'PeriodBlocked': {
      const data = event.data;
      return {
        tenant_id: event.metadata.tenantId,
        centre_id: data.centreId,
        day: data.date,
        entry_id: data.blockId,
        kind: 'block',
        booking_id: null,
        start_time: data.from,
        end_time: data.to,
        duration_minutes: null,
        inspector_id: data.inspectorId,
        overbooked: false,
        status: 'blocked',
        hold_expires_at: null,
        control_type: null,
        vehicle_category: null,
        vehicle_fuel: null,
        label: data.label,
        waitlist_entry_id: null,
        updated_at: at,
      };
    }
    case 'HoldReleased':
    case 'PeriodUnblocked':
      return null;
    case 'ReservationFreed':
      // A no-show stays on the plan (the slot was lost, staff want to see it); other frees leave it.
      if (event.data.reason !== 'no_show') return null;
      return entry ? { ...entry, status: 'no_show', updated_at: at } : entry;
    case 'HoldConfirmed':
      return entry ? { ...entry, status: 'confirmed', hold_expires_at: null, updated_at: at } : entry;
    case 'InspectorReassigned':
      return entry ? { ...entry, inspector_id: event.data.toInspectorId, updated_at: at } : entry;
    case 'OverbookedReservationAssigned':
      return entry ? { ...entry, inspector_id: event.data.inspectorId, updated_at: at } : entry;
    default:
      return entry;
  }
}

/** The booking's display row after a booking event (the same object when nothing changes). */
export function foldAgendaBooking(
  row: AgendaBookingRow | undefined,
  event: ProjectionEvent,
): AgendaBookingRow | undefined {
  const revision = revisionNumber(event.revision);
  if (row !== undefined && revision <= row.last_revision) return row;
  const at = event.metadata.occurredAt;
  const next = ((): AgendaBookingRow | undefined => {
    if (event.type === 'BookingPlaced') {
      if (row !== undefined) return undefined;
      const { customer, vehicle } = event.data;
      return {
        tenant_id: event.metadata.tenantId,
        booking_id: event.data.bookingId,
        customer_id: event.data.customerId,
        reference: event.data.reference,
        customer_kind: customer.kind,
        customer_name: personalText(customer.name),
        customer_contact_name: customer.kind === 'company' ? personalText(customer.contactName) : null,
        customer_phone: personalText(customer.phone),
        vehicle_plate: personalText(vehicle.plate),
        vehicle_category: vehicle.category,
        vehicle_fuel: vehicle.fuel,
        control_type: event.data.controlType,
        status: 'placed',
        channel: event.data.channel,
        payment_mode: event.data.paymentMode,
        price_cents: event.data.priceCents,
        paid_cents: 0,
        result: null,
        inspector_id: null,
        centre_id: event.data.centreId,
        reservation_id: event.data.reservationId,
        start_local: event.data.start,
        checked_in_at: null,
        completed_at: null,
        personal_data_erased: isErasedValue(customer.name),
        last_revision: revision,
      };
    }
    if (row === undefined) return undefined;
    switch (event.type) {
      case 'BookingConfirmed':
        return { ...row, status: 'confirmed', payment_mode: event.data.paymentMode };
      case 'BookingCheckedIn':
        return { ...row, status: 'checked_in', inspector_id: event.data.inspectorId, checked_in_at: at };
      case 'BookingCompleted':
        return {
          ...row,
          status: 'completed',
          inspector_id: event.data.inspectorId,
          result: event.data.result,
          completed_at: at,
        };
      case 'BookingCancelled':
        return { ...row, status: 'cancelled' };
      case 'BookingExpired':
        return { ...row, status: 'expired' };
      case 'BookingNoShow':
        return { ...row, status: 'no_show' };
      case 'BookingRescheduled':
        return {
          ...row,
          centre_id: event.data.to.centreId,
          reservation_id: event.data.to.reservationId,
          start_local: event.data.to.start,
          price_cents: event.data.priceCents,
        };
      case 'PaymentSucceeded':
        return { ...row, paid_cents: row.paid_cents + event.data.amountCents };
      default:
        return undefined;
    }
  })();
  return next === undefined ? row : { ...next, last_revision: revision };
}

/** An inspector's row after a centre event (the same object when nothing changes). */
export function foldAgendaInspector(
  row: AgendaInspectorRow | undefined,
  event: ProjectionEvent,
): AgendaInspectorRow | undefined {
  const revision = revisionNumber(event.revision);
  if (row !== undefined && revision <= row.last_revision) return row;
  switch (event.type) {
    case 'InspectorAdded':
      return {
        tenant_id: event.metadata.tenantId,
        centre_id: event.data.centreId,
        inspector_id: event.data.inspectorId,
        name: personalText(event.data.name),
        accreditations: event.data.accreditations,
        active: true,
        personal_data_erased: isErasedValue(event.data.name),
        last_revision: revision,
      };
    case 'InspectorAccreditationsChanged':
      return row && { ...row, accreditations: event.data.accreditations, last_revision: revision };
    case 'InspectorRemoved':
      return row && { ...row, active: false, last_revision: revision };
    default:
      return row;
  }
}

// ---------------------------------------------------------------------------------------------
// Loading the rows a batch touches (one query per table)
// ---------------------------------------------------------------------------------------------

/** Rows of `sql` for `keys`, sent as one JSON parameter (or, `json` false, as a text array). */
async function loadJson<R>(
  tx: SqlExecutor,
  sql: string,
  keys: readonly unknown[],
  json = true,
): Promise<R[]> {
  if (keys.length === 0) return [];
  const { rows } = await tx.query<{ row: R }>(sql, [json ? JSON.stringify(keys) : keys]);
  return rows.map(({ row }) => row);
}

/**
 * The rows of `table` (alias `alias`) matching keys given as a JSON array of records `k(columns)`,
 * `on` the table's primary key. A live batch has a few dozen keys while the table may still be
 * small or without statistics (a new generation): the planner then picks a hash join over a
 * sequential scan of the whole table, whose cost grows with it. Live batches therefore look each
 * key up on its own (a lateral `limit 1` subquery is planned as an index lookup per key); a
 * catch-up batch, with thousands of keys, lets the planner choose the join.
 */
function byKeys(mode: ApplyMode, table: string, alias: string, columns: string, on: string): string {
  return mode === 'live'
    ? `select to_jsonb(${alias}) as row from jsonb_to_recordset($1::jsonb) k(${columns})
        cross join lateral (select * from ${table} ${alias} where ${on} limit 1) ${alias}`
    : `select to_jsonb(${alias}) as row from ${table} ${alias} join jsonb_to_recordset($1::jsonb) k(${columns}) on ${on}`;
}

const entryKey = (centreId: string, day: string, entryId: string) => `${centreId}/${day}/${entryId}`;
const dayKey = (centreId: string, day: string) => `${centreId}/${day}`;
const inspectorKey = (centreId: string, inspectorId: string) => `${centreId}/${inspectorId}`;

async function scrubAgenda(
  ctx: Pick<MaintenanceContext, 'tx' | 'table'>,
  subjectId: string,
): Promise<number> {
  // A subject is a customer (bookings) or an inspector (their name); ids never collide.
  const bookings = await ctx.tx.query(
    `update ${ctx.table('agenda_bookings')}
        set customer_name = null, customer_contact_name = null, customer_phone = null, vehicle_plate = null,
            personal_data_erased = true
      where customer_id = $1 and (personal_data_erased = false or customer_name is not null
        or customer_phone is not null or vehicle_plate is not null or customer_contact_name is not null)`,
    [subjectId],
  );
  const inspectors = await ctx.tx.query(
    `update ${ctx.table('agenda_inspectors')} set name = null, personal_data_erased = true
      where inspector_id = $1 and (name is not null or personal_data_erased = false)`,
    [subjectId],
  );
  return bookings.rowCount + inspectors.rowCount;
}

async function applyAgenda(events: readonly ProjectionEvent[], ctx: ApplyContext): Promise<void> {
  const calendar = events.filter(isCalendarEvent);
  const bookingEvents = events.filter((event) => event.streamName.startsWith('booking-'));
  const centreEvents = events.filter((event) => event.streamName.startsWith('centre-'));

  // Calendar streams: entries, guarded by each day's last revision.
  const dayKeys = [...new Map(calendar.map((e) => [dayKey(e.data.centreId, e.data.date), e.data])).values()];
  const days = new Map(
    (
      await loadJson<DayRow>(
        ctx.tx,
        byKeys(
          ctx.mode,
          ctx.table('agenda_days'),
          'd',
          `"centreId" text, date date`,
          `d.centre_id = k."centreId" and d.day = k.date`,
        ),
        dayKeys.map(({ centreId, date }) => ({ centreId, date })),
      )
    ).map((row) => [dayKey(row.centre_id, row.day), row]),
  );
  // Entries to read: those whose first event passing the revision guard (replayed here as the loop
  // below applies it) is not a SlotHeld/PeriodBlocked, which replaces whatever the row held. A
  // large catch-up batch holds most reservations from creation on: they need no read.
  const guard = new Map<string, number>();
  const seen = new Set<string>();
  const entryKeys: { centreId: string; date: string; entryId: string }[] = [];
  for (const e of calendar) {
    const { centreId, date } = e.data;
    const key = dayKey(centreId, date);
    const revision = revisionNumber(e.revision);
    if (revision <= (guard.get(key) ?? days.get(key)?.last_revision ?? 0)) continue;
    guard.set(key, revision);
    const entryId = entryIdOf(e);
    if (entryId === undefined) continue;
    const at = entryKey(centreId, date, entryId);
    if (seen.has(at)) continue;
    seen.add(at);
    if (e.type !== 'SlotHeld' && e.type !== 'PeriodBlocked') entryKeys.push({ centreId, date, entryId });
  }
  const entries = new Map<string, AgendaEntryRow | null>(
    (
      await loadJson<AgendaEntryRow>(
        ctx.tx,
        byKeys(
          ctx.mode,
          ctx.table('agenda_entries'),
          'e',
          `"centreId" text, date date, "entryId" text`,
          `e.centre_id = k."centreId" and e.day = k.date and e.entry_id = k."entryId"`,
        ),
        entryKeys,
      )
    ).map((row) => [entryKey(row.centre_id, row.day, row.entry_id), row]),
  );
  const changedEntries = new Set<string>();
  const changedDays = new Map<string, DayRow>();
  for (const event of calendar) {
    const { centreId, date } = event.data;
    const key = dayKey(centreId, date);
    const revision = revisionNumber(event.revision);
    if (revision <= (days.get(key)?.last_revision ?? 0)) continue;
    const day: DayRow = {
      tenant_id: event.metadata.tenantId,
      centre_id: centreId,
      day: date,
      last_revision: revision,
    };
    days.set(key, day);
    changedDays.set(key, day);
    const entryId = entryIdOf(event);
    if (entryId === undefined) continue;
    const at = entryKey(centreId, date, entryId);
    const current = entries.get(at);
    const next = foldAgendaEntry(current, event);
    if (next !== current && next !== undefined) {
      entries.set(at, next);
      changedEntries.add(at);
    }
  }

  // Booking streams: display rows.
  const bookingMemory = rowMemory<AgendaBookingRow>(ctx, 'agenda_bookings');
  const { known } = bookingIdsOf(bookingEvents, bookingIdOf);
  const bookings = await bookingMemory.rows(
    known,
    async (missing) =>
      new Map(
        (
          await loadJson<AgendaBookingRow>(
            ctx.tx,
            // `= any` of the ids: an index scan however small the table looks to the planner.
            `select to_jsonb(b) as row from ${ctx.table('agenda_bookings')} b where b.booking_id = any($1::text[])`,
            missing,
            false,
          )
        ).map((row) => [row.booking_id, row]),
      ),
  );
  const changedBookings = new Map<string, AgendaBookingRow>();
  for (const event of bookingEvents) {
    const id = bookingIdOf(event);
    if (id === undefined) continue;
    const current = bookings.get(id);
    const next = foldAgendaBooking(current, event);
    if (next !== undefined && next !== current) {
      bookings.set(id, next);
      changedBookings.set(id, next);
    }
  }

  // Centre streams: inspectors.
  const inspectorEvents = centreEvents.filter((e) => inspectorIdOf(e) !== undefined);
  const inspectors = new Map(
    (
      await loadJson<AgendaInspectorRow>(
        ctx.tx,
        byKeys(
          ctx.mode,
          ctx.table('agenda_inspectors'),
          'i',
          `"centreId" text, "inspectorId" text`,
          `i.centre_id = k."centreId" and i.inspector_id = k."inspectorId"`,
        ),
        inspectorEvents.map((e) => ({ centreId: centreIdOf(e), inspectorId: inspectorIdOf(e) })),
      )
    ).map((row) => [inspectorKey(row.centre_id, row.inspector_id), row]),
  );
  const changedInspectors = new Map<string, AgendaInspectorRow>();
  for (const event of inspectorEvents) {
    const key = inspectorKey(centreIdOf(event) ?? '', inspectorIdOf(event) ?? '');
    const current = inspectors.get(key);
    const next = foldAgendaInspector(current, event);
    if (next !== undefined && next !== current) {
      inspectors.set(key, next);
      changedInspectors.set(key, next);
    }
  }

  const kept: AgendaEntryRow[] = [];
  const removed: { centre_id: string; day: string; entry_id: string }[] = [];
  for (const key of changedEntries) {
    const row = entries.get(key);
    if (row) kept.push(row);
    else {
      const [centreId = '', day = '', entryId = ''] = splitEntryKey(key);
      removed.push({ centre_id: centreId, day, entry_id: entryId });
    }
  }
  await deleteRows(ctx.tx, ctx.table('agenda_entries'), ['centre_id', 'day', 'entry_id'], removed);
  await upsertRows(ctx.tx, ctx.table('agenda_entries'), kept, { key: ['centre_id', 'day', 'entry_id'] });
  await upsertRows(ctx.tx, ctx.table('agenda_days'), [...changedDays.values()], {
    key: ['centre_id', 'day'],
  });
  await upsertRows(ctx.tx, ctx.table('agenda_bookings'), [...changedBookings.values()], {
    key: ['booking_id'],
  });
  for (const [id, row] of changedBookings) bookingMemory.remember(id, row);
  await upsertRows(ctx.tx, ctx.table('agenda_inspectors'), [...changedInspectors.values()], {
    key: ['centre_id', 'inspector_id'],
  });
}

export const agendaProjector = defineProjector({
  name: 'agenda',
  version: 1,
  tables: ['agenda_entries', 'agenda_bookings', 'agenda_inspectors'],
  // Read-side and GDPR lookups; apply reads rows by primary key.
  deferredIndexes: ['agenda_entries_day', 'agenda_bookings_subject', 'agenda_inspectors_subject'],
  filter: { streamPrefixes: ['calendar-', 'booking-', 'centre-', SUBJECT_STREAM_PREFIX] },
  migrations: (schema) => [
    {
      version: 1,
      name: 'agenda entries, bookings, inspectors',
      sql: `
create table ${schema}.agenda_entries (
  tenant_id text not null,
  centre_id text not null,
  day date not null,
  entry_id text not null,
  kind text not null,
  booking_id text,
  start_time text not null,
  end_time text not null,
  duration_minutes int,
  inspector_id text,
  overbooked boolean not null,
  status text not null,
  hold_expires_at timestamptz,
  control_type text,
  vehicle_category text,
  vehicle_fuel text,
  label text,
  waitlist_entry_id text,
  updated_at timestamptz not null,
  primary key (centre_id, day, entry_id)
);
create index agenda_entries_day on ${schema}.agenda_entries (tenant_id, centre_id, day, start_time);
${tenantPolicy(schema, 'agenda_entries')}
create table ${schema}.agenda_bookings (
  tenant_id text not null,
  booking_id text primary key,
  customer_id text not null,
  reference text not null,
  customer_kind text not null,
  customer_name text,
  customer_contact_name text,
  customer_phone text,
  vehicle_plate text,
  vehicle_category text not null,
  vehicle_fuel text not null,
  control_type text not null,
  status text not null,
  channel text not null,
  payment_mode text not null,
  price_cents int not null,
  paid_cents int not null,
  result text,
  inspector_id text,
  centre_id text not null,
  reservation_id text not null,
  start_local text not null,
  checked_in_at timestamptz,
  completed_at timestamptz,
  personal_data_erased boolean not null,
  last_revision bigint not null
);
create index agenda_bookings_subject on ${schema}.agenda_bookings (customer_id);
${tenantPolicy(schema, 'agenda_bookings')}
create table ${schema}.agenda_inspectors (
  tenant_id text not null,
  centre_id text not null,
  inspector_id text not null,
  name text,
  accreditations text[] not null,
  active boolean not null,
  personal_data_erased boolean not null,
  last_revision bigint not null,
  primary key (centre_id, inspector_id)
);
create index agenda_inspectors_subject on ${schema}.agenda_inspectors (inspector_id);
${tenantPolicy(schema, 'agenda_inspectors')}
-- Last folded revision of each calendar stream (internal: the idempotency guard).
create table ${schema}.agenda_days (
  tenant_id text not null,
  centre_id text not null,
  day date not null,
  last_revision bigint not null,
  primary key (centre_id, day)
);`,
    },
  ],
  apply: (batch, ctx) =>
    applyWithErasures(
      batch,
      (events) => applyAgenda(events, ctx),
      (subjectId) => {
        rowMemory(ctx, 'agenda_bookings').forget();
        return scrubAgenda(ctx, subjectId);
      },
    ),
  scrub: (subjectId, ctx) => {
    rowMemory(ctx, 'agenda_bookings').forget();
    return scrubAgenda(ctx, subjectId);
  },
  async export(subjectId, ctx) {
    const bookings = await ctx.tx.query<{ row: AgendaBookingRow }>(
      `select to_jsonb(b) as row from ${ctx.table('agenda_bookings')} b where b.customer_id = $1 order by b.booking_id`,
      [subjectId],
    );
    const inspectors = await ctx.tx.query<{ row: AgendaInspectorRow }>(
      `select to_jsonb(i) as row from ${ctx.table('agenda_inspectors')} i where i.inspector_id = $1 order by i.centre_id`,
      [subjectId],
    );
    return {
      bookings: bookings.rows.map(({ row }) => row),
      inspectors: inspectors.rows.map(({ row }) => row),
    };
  },
});

function splitEntryKey(key: string): string[] {
  // Centre ids and entry ids hold no '/', and the day is a fixed-width date.
  return key.split('/');
}

function field(event: ProjectionEvent, name: string): string | undefined {
  const data: Readonly<Record<string, unknown>> = event.data;
  const value = data[name];
  return typeof value === 'string' ? value : undefined;
}

const bookingIdOf = (event: ProjectionEvent) => field(event, 'bookingId');
const centreIdOf = (event: ProjectionEvent) => field(event, 'centreId');
const inspectorIdOf = (event: ProjectionEvent) => field(event, 'inspectorId');
