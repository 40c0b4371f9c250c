import { type BookingReference, type Channel, type ControlType, SUBJECT_STREAM_PREFIX } from '@pti/events';
import type { SqlExecutor } from '@pti/platform';
import type { BookingStatus } from '@pti/write-side/domain';
import { bookingIdsOf } from '../bookings/bookings-projector.js';
import { applyWithErasures, personalText, revisionNumber } from '../bookings/shared.js';
import { type DirtyKey, dirtyTableSql, markDirty, takeDirty } from '../runtime/dirty-keys.js';
import {
  type ApplyContext,
  defineProjector,
  type MaintenanceContext,
  type ProjectionEvent,
  tenantPolicy,
} from '../runtime/projector.js';
import { rowMemory } from '../runtime/row-memory.js';
import { deferWrite, upsertRows } from '../runtime/sql.js';

/**
 * # customers read model
 *
 * The call centre's customer search (DESIGN.md §6): a customer is a data subject (the
 * `customerId` of their bookings) with their contact, plates, references, bookings count and last
 * booking, searchable by phone, plate, name, e-mail or booking reference.
 *
 * - `customer_bookings`: one row per booking with the contact and vehicle it was placed with and
 *   the normalised search forms (accent-free lower-case name, phone digits, compact plate).
 * - `customers`: one row per (tenant, customer), recomputed in SQL from `customer_bookings` for
 *   every customer a batch touches — a pure function of those rows, so replays and the catch-up
 *   path give the same result. Its `*_search` columns carry pg_trgm GIN indexes when the
 *   extension is available (see the migration); the query falls back to LIKE without them.
 *
 * Staff-facing, row-level security by tenant. An erased customer (personal fields read
 * `[effacé]`) has no row at all: there is nothing left to search them by, and `scrub` deletes.
 */

export interface CustomerBookingRow {
  readonly tenant_id: string;
  readonly booking_id: string;
  readonly customer_id: string;
  readonly reference: BookingReference;
  readonly status: BookingStatus;
  readonly centre_id: string;
  readonly start_local: string;
  readonly control_type: ControlType;
  readonly channel: Channel;
  readonly placed_at: string;
  readonly customer_kind: 'private' | 'company';
  readonly name: string;
  readonly contact_name: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly siret: string | null;
  readonly plate: string | null;
  /** Lower case, accents and punctuation removed: `eloise durand garage du rhone`. */
  readonly name_search: string;
  /** Digits of the number and, for +33, its national form: `33612345678 0612345678`. */
  readonly phone_search: string | null;
  /** Plate without separators: `AB123CD`. */
  readonly plate_compact: string | null;
  readonly last_revision: number;
}

export interface CustomerRow {
  readonly tenant_id: string;
  readonly customer_id: string;
  /** Contact as given with the most recently placed booking. */
  readonly customer_kind: 'private' | 'company';
  readonly name: string;
  readonly contact_name: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly siret: string | null;
  /** Every plate booked, sorted. */
  readonly plates: readonly string[];
  /** Every booking reference, oldest placement first. */
  readonly booking_references: readonly string[];
  readonly bookings_count: number;
  /** Placed, confirmed or checked in. */
  readonly active_bookings_count: number;
  readonly first_placed_at: string;
  readonly last_placed_at: string;
  /** The booking with the latest appointment. */
  readonly last_booking_id: string;
  readonly last_booking_reference: string;
  readonly last_booking_status: BookingStatus;
  readonly last_booking_start: string;
  readonly last_booking_centre_id: string;
  /** Search forms over every booking of the customer (space-separated). */
  readonly name_search: string;
  readonly email_search: string;
  readonly phone_search: string;
  readonly plates_search: string;
  readonly references_search: string;
}

// ---------------------------------------------------------------------------------------------
// Search forms (the query normalises its input the same way)
// ---------------------------------------------------------------------------------------------

/** Lower case without accents; anything but letters, digits, `@ . _ -` becomes one space. */
export function searchText(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}@._-]+/gu, ' ')
    .trim();
}

/** The digits a phone number can be typed with: international, and national for +33. */
export function phoneSearch(phone: string): string {
  const digits = phone.replace(/\D+/g, '');
  return digits.startsWith('33') && digits.length === 11 ? `${digits} 0${digits.slice(2)}` : digits;
}

export function compactPlate(plate: string): string {
  return plate.toUpperCase().replace(/[^A-Z0-9]+/g, '');
}

// ---------------------------------------------------------------------------------------------
// Folding
// ---------------------------------------------------------------------------------------------

/** A booking's search row after an event; undefined while there is none (or for an erased customer). */
export function foldCustomerBooking(
  row: CustomerBookingRow | undefined,
  event: ProjectionEvent,
): CustomerBookingRow | undefined {
  const revision = revisionNumber(event.revision);
  if (row !== undefined && revision <= row.last_revision) return row;
  if (event.type === 'BookingPlaced') {
    if (row !== undefined) return row;
    const { customer, vehicle } = event.data;
    const name = personalText(customer.name);
    // Erased before it was projected: no row, exactly what a scrub leaves.
    if (name === null) return undefined;
    const contactName = customer.kind === 'company' ? personalText(customer.contactName) : null;
    const phone = personalText(customer.phone);
    const plate = personalText(vehicle.plate);
    return {
      tenant_id: event.metadata.tenantId,
      booking_id: event.data.bookingId,
      customer_id: event.data.customerId,
      reference: event.data.reference,
      status: 'placed',
      centre_id: event.data.centreId,
      start_local: event.data.start,
      control_type: event.data.controlType,
      channel: event.data.channel,
      placed_at: event.metadata.occurredAt,
      customer_kind: customer.kind,
      name,
      contact_name: contactName,
      email: personalText(customer.email),
      phone,
      siret: customer.kind === 'company' ? personalText(customer.siret) : null,
      plate,
      name_search: searchText([name, contactName ?? ''].join(' ')),
      phone_search: phone === null ? null : phoneSearch(phone),
      plate_compact: plate === null ? null : compactPlate(plate),
      last_revision: revision,
    };
  }
  if (row === undefined) return row;
  const status = ((): BookingStatus | undefined => {
    switch (event.type) {
      case 'BookingConfirmed':
        return 'confirmed';
      case 'BookingCheckedIn':
        return 'checked_in';
      case 'BookingCompleted':
        return 'completed';
      case 'BookingCancelled':
        return 'cancelled';
      case 'BookingExpired':
        return 'expired';
      case 'BookingNoShow':
        return 'no_show';
      default:
        return undefined;
    }
  })();
  if (status !== undefined) return { ...row, status, last_revision: revision };
  if (event.type === 'BookingRescheduled') {
    return {
      ...row,
      centre_id: event.data.to.centreId,
      start_local: event.data.to.start,
      last_revision: revision,
    };
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// The customers table, recomputed from customer_bookings
// ---------------------------------------------------------------------------------------------

/**
 * `perKey`: a few customers (a live batch). Their bookings are then read customer by customer (a
 * lateral subquery, planned as an index scan of `customer_bookings_customer` per key) rather than
 * leaving the join to the planner, which estimates the JSON keys at 100 rows and, while the table
 * is young or has no statistics, hash-joins it in full at a cost growing with it. Otherwise (the
 * customers a catch-up deferred, possibly all of them) the planner chooses. Same rows either way.
 */
function recomputeCustomers(schema: string, perKey: boolean): string {
  const bookings = `${schema}.customer_bookings`;
  const customers = `${schema}.customers`;
  const mine = perKey
    ? `select b.* from k cross join lateral (
    select * from ${bookings} b where b.tenant_id = k.tenant_id and b.customer_id = k.customer_id offset 0) b`
    : `select b.* from ${bookings} b join k on b.tenant_id = k.tenant_id and b.customer_id = k.customer_id`;
  return `
with k as (
  select distinct k.tenant_id, k.customer_id
    from jsonb_to_recordset($1::jsonb) k(tenant_id text, customer_id text)
), mine as (
  ${mine}
), agg as (
  select tenant_id, customer_id,
         count(*)::int as bookings_count,
         (count(*) filter (where status in ('placed', 'confirmed', 'checked_in')))::int as active_bookings_count,
         min(placed_at) as first_placed_at,
         max(placed_at) as last_placed_at,
         coalesce(array_agg(distinct plate order by plate) filter (where plate is not null), '{}') as plates,
         array_agg(reference order by placed_at, booking_id) as booking_references,
         string_agg(distinct name_search, ' ' order by name_search) as name_search,
         coalesce(string_agg(distinct lower(email), ' ' order by lower(email)), '') as email_search,
         coalesce(string_agg(distinct phone_search, ' ' order by phone_search), '') as phone_search,
         coalesce(string_agg(distinct plate_compact, ' ' order by plate_compact), '') as plates_search,
         string_agg(replace(reference, '-', ''), ' ' order by placed_at, booking_id) as references_search
    from mine group by tenant_id, customer_id
), contact as (
  select distinct on (tenant_id, customer_id) tenant_id, customer_id, customer_kind, name, contact_name, email, phone, siret
    from mine order by tenant_id, customer_id, placed_at desc, booking_id desc
), latest as (
  select distinct on (tenant_id, customer_id) tenant_id, customer_id, booking_id, reference, status, start_local, centre_id
    from mine order by tenant_id, customer_id, start_local desc, booking_id desc
), dead as (
  select k.tenant_id, k.customer_id from k
   where not exists (select 1 from mine m where m.tenant_id = k.tenant_id and m.customer_id = k.customer_id)
), gone as (
  -- Customers left without bookings (rare): looked up by id, never by a join over the whole table.
  delete from ${customers} c
   where c.customer_id = any(array(select d.customer_id from dead d))
     and exists (select 1 from dead d where d.tenant_id = c.tenant_id and d.customer_id = c.customer_id)
)
insert into ${customers} (
  tenant_id, customer_id, customer_kind, name, contact_name, email, phone, siret, plates, booking_references,
  bookings_count, active_bookings_count, first_placed_at, last_placed_at, last_booking_id, last_booking_reference,
  last_booking_status, last_booking_start, last_booking_centre_id,
  name_search, email_search, phone_search, plates_search, references_search)
select a.tenant_id, a.customer_id, c.customer_kind, c.name, c.contact_name, c.email, c.phone, c.siret, a.plates,
       a.booking_references, a.bookings_count, a.active_bookings_count, a.first_placed_at, a.last_placed_at,
       l.booking_id, l.reference, l.status, l.start_local, l.centre_id,
       a.name_search, a.email_search, a.phone_search, a.plates_search, a.references_search
  from agg a
  join contact c on c.tenant_id = a.tenant_id and c.customer_id = a.customer_id
  join latest l on l.tenant_id = a.tenant_id and l.customer_id = a.customer_id
on conflict (tenant_id, customer_id) do update set
  customer_kind = excluded.customer_kind, name = excluded.name, contact_name = excluded.contact_name,
  email = excluded.email, phone = excluded.phone, siret = excluded.siret, plates = excluded.plates,
  booking_references = excluded.booking_references, bookings_count = excluded.bookings_count,
  active_bookings_count = excluded.active_bookings_count, first_placed_at = excluded.first_placed_at,
  last_placed_at = excluded.last_placed_at, last_booking_id = excluded.last_booking_id,
  last_booking_reference = excluded.last_booking_reference, last_booking_status = excluded.last_booking_status,
  last_booking_start = excluded.last_booking_start, last_booking_centre_id = excluded.last_booking_centre_id,
  name_search = excluded.name_search, email_search = excluded.email_search, phone_search = excluded.phone_search,
  plates_search = excluded.plates_search, references_search = excluded.references_search`;
}

/** Trigram indexes on the search columns, created only where the pg_trgm extension could be installed. */
function trigramIndexes(schema: string): string {
  const columns = ['name_search', 'email_search', 'phone_search', 'plates_search', 'references_search'];
  const statements = columns
    .map(
      (column) =>
        `execute format('create index customers_${column}_trgm on ${schema}.customers using gin (${column} %I.gin_trgm_ops)', ext);`,
    )
    .join('\n    ');
  return `
do $$
begin
  create extension if not exists pg_trgm;
exception when others then
  raise notice 'pg_trgm is not available (%): customer search falls back to LIKE scans', sqlerrm;
end $$;
do $$
declare ext text;
begin
  select n.nspname into ext from pg_extension e join pg_namespace n on n.oid = e.extnamespace
   where e.extname = 'pg_trgm';
  if ext is not null then
    ${statements}
  end if;
end $$;`;
}

async function loadRows(tx: SqlExecutor, table: string, ids: readonly string[]) {
  const rows = new Map<string, CustomerBookingRow>();
  if (ids.length === 0) return rows;
  // `= any` of the ids: an index scan however small the table looks to the planner.
  const { rows: found } = await tx.query<{ row: CustomerBookingRow }>(
    `select to_jsonb(b) as row from ${table} b where b.booking_id = any($1::text[])`,
    [ids],
  );
  for (const { row } of found) rows.set(row.booking_id, row);
  return rows;
}

/** Deletes every row about the customer: nothing is left to search them by. */
async function scrubCustomer(
  ctx: Pick<MaintenanceContext, 'tx' | 'table'>,
  subjectId: string,
): Promise<number> {
  const bookings = await ctx.tx.query(
    `delete from ${ctx.table('customer_bookings')} where customer_id = $1`,
    [subjectId],
  );
  const customers = await ctx.tx.query(`delete from ${ctx.table('customers')} where customer_id = $1`, [
    subjectId,
  ]);
  return bookings.rowCount + customers.rowCount;
}

async function applyCustomers(events: readonly ProjectionEvent[], ctx: ApplyContext): Promise<void> {
  const table = ctx.table('customer_bookings');
  const memory = rowMemory<CustomerBookingRow>(ctx, 'customer_bookings');
  const { known } = bookingIdsOf(events, bookingIdOf);
  const rows = await memory.rows(known, (missing) => loadRows(ctx.tx, table, missing));
  const changed = new Map<string, CustomerBookingRow>();
  for (const event of events) {
    const id = bookingIdOf(event);
    if (id === undefined) continue;
    const current = rows.get(id);
    const next = foldCustomerBooking(current, event);
    if (next !== undefined && next !== current) {
      rows.set(id, next);
      changed.set(id, next);
    }
  }
  if (changed.size > 0) await upsertRows(ctx.tx, table, [...changed.values()], { key: ['booking_id'] });
  for (const row of changed.values()) memory.remember(row.booking_id, row);
  const touched = [...changed.values()].map((row) => ({
    tenant_id: row.tenant_id,
    customer_id: row.customer_id,
  }));
  // Catch-up: each customer is recomputed once, at the end (`settle`), not once per batch.
  if (ctx.mode === 'catch-up') {
    await markDirty(ctx, CUSTOMERS_DIRTY, CUSTOMER_KEY, touched);
    return;
  }
  await recomputeTouched(ctx, touched);
}

/** Customers recomputed one by one (index lookups) at most; more are left to the planner's join. */
const PER_KEY_RECOMPUTE = 1_000;

const CUSTOMERS_DIRTY = 'customers_dirty';
const CUSTOMER_KEY: DirtyKey = [
  ['tenant_id', 'text'],
  ['customer_id', 'text'],
];

/** Recomputes the given customers and those a catch-up deferred. */
async function recomputeTouched(
  ctx: Pick<ApplyContext, 'tx' | 'table' | 'memory' | 'schema'>,
  touched: readonly { readonly tenant_id: string; readonly customer_id: string }[],
): Promise<void> {
  const deferred = await takeDirty<{ tenant_id: string; customer_id: string }>(
    ctx,
    CUSTOMERS_DIRTY,
    CUSTOMER_KEY,
  );
  const all = deferred.length === 0 ? touched : [...touched, ...deferred];
  if (all.length === 0) return;
  await deferWrite(ctx.tx, recomputeCustomers(ctx.schema, all.length <= PER_KEY_RECOMPUTE), [
    JSON.stringify(all),
  ]);
}

export const customersProjector = defineProjector({
  name: 'customers',
  version: 1,
  tables: ['customers', 'customer_bookings'],
  // Search (trigram) and GDPR lookups; the per-customer recompute needs customer_bookings_customer.
  deferredIndexes: [
    'customers_name_search_trgm',
    'customers_email_search_trgm',
    'customers_phone_search_trgm',
    'customers_plates_search_trgm',
    'customers_references_search_trgm',
    'customers_subject',
    'customer_bookings_subject',
  ],
  filter: { streamPrefixes: ['booking-', SUBJECT_STREAM_PREFIX] },
  migrations: (schema) => [
    {
      version: 1,
      name: 'customers and their bookings, trigram search',
      sql: `
create table ${schema}.customer_bookings (
  tenant_id text not null,
  booking_id text primary key,
  customer_id text not null,
  reference text not null,
  status text not null,
  centre_id text not null,
  start_local text not null,
  control_type text not null,
  channel text not null,
  placed_at timestamptz not null,
  customer_kind text not null,
  name text not null,
  contact_name text,
  email text,
  phone text,
  siret text,
  plate text,
  name_search text not null,
  phone_search text,
  plate_compact text,
  last_revision bigint not null
);
create index customer_bookings_customer on ${schema}.customer_bookings (tenant_id, customer_id);
create index customer_bookings_subject on ${schema}.customer_bookings (customer_id);
${tenantPolicy(schema, 'customer_bookings')}
create table ${schema}.customers (
  tenant_id text not null,
  customer_id text not null,
  customer_kind text not null,
  name text not null,
  contact_name text,
  email text,
  phone text,
  siret text,
  plates text[] not null,
  booking_references text[] not null,
  bookings_count int not null,
  active_bookings_count int not null,
  first_placed_at timestamptz not null,
  last_placed_at timestamptz not null,
  last_booking_id text not null,
  last_booking_reference text not null,
  last_booking_status text not null,
  last_booking_start text not null,
  last_booking_centre_id text not null,
  name_search text not null,
  email_search text not null,
  phone_search text not null,
  plates_search text not null,
  references_search text not null,
  primary key (tenant_id, customer_id)
);
create index customers_subject on ${schema}.customers (customer_id);
${tenantPolicy(schema, 'customers')}
${trigramIndexes(schema)}`,
    },
    {
      version: 2,
      name: 'customers a catch-up left to recompute',
      sql: dirtyTableSql(schema, CUSTOMERS_DIRTY, CUSTOMER_KEY),
    },
  ],
  settle: (ctx) => recomputeTouched(ctx, []),
  apply: (batch, ctx) =>
    applyWithErasures(
      batch,
      (events) => applyCustomers(events, ctx),
      (subjectId) => {
        rowMemory(ctx, 'customer_bookings').forget();
        return scrubCustomer(ctx, subjectId);
      },
    ),
  scrub: (subjectId, ctx) => {
    rowMemory(ctx, 'customer_bookings').forget();
    return scrubCustomer(ctx, subjectId);
  },
  async export(subjectId, ctx) {
    const customers = await ctx.tx.query<{ row: CustomerRow }>(
      `select to_jsonb(c) as row from ${ctx.table('customers')} c where c.customer_id = $1 order by c.tenant_id`,
      [subjectId],
    );
    const bookings = await ctx.tx.query<{ row: CustomerBookingRow }>(
      `select to_jsonb(b) as row from ${ctx.table('customer_bookings')} b where b.customer_id = $1
        order by b.placed_at, b.booking_id`,
      [subjectId],
    );
    return { customers: customers.rows.map(({ row }) => row), bookings: bookings.rows.map(({ row }) => row) };
  },
});

function bookingIdOf(event: ProjectionEvent): string | undefined {
  const data: Readonly<Record<string, unknown>> = event.data;
  const id = data.bookingId;
  return typeof id === 'string' ? id : undefined;
}
