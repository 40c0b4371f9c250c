import { normalisePlate } from '@pti/events';
import type { SqlExecutor } from '@pti/platform';
import { parseBookingReference } from '@pti/write-side/domain';
import {
  decodeCursor,
  encodeCursor,
  isoInstant,
  type Page,
  type PageOptions,
  pageLimit,
  type ReadSource,
  readAsTenant,
  schemaOf,
} from '../bookings/shared.js';
import { assertIdentifier } from '../runtime/sql.js';
import { type CustomerRow, compactPlate, searchText } from './customers-projector.js';

/**
 * The call centre's customer search. One box takes a phone number, a plate, a name, an e-mail or a
 * booking reference, typed any usual way; results are ranked by how well they match (1 = exact
 * reference, plate, e-mail or phone; names by trigram similarity when pg_trgm is installed, else by
 * equality / word prefix / substring) and paginated with a keyset cursor on (score, customer id).
 */

export type MatchedOn = 'reference' | 'plate' | 'email' | 'phone' | 'name';

export interface CustomerSummary {
  readonly customerId: string;
  readonly kind: 'private' | 'company';
  readonly name: string;
  readonly contactName: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly siret: string | null;
  readonly plates: readonly string[];
  readonly bookingReferences: readonly string[];
  readonly bookingsCount: number;
  readonly activeBookingsCount: number;
  readonly firstBookedAt: string;
  readonly lastBooking: {
    readonly bookingId: string;
    readonly reference: string;
    readonly status: CustomerRow['last_booking_status'];
    /** Local `YYYY-MM-DDTHH:MM`. */
    readonly start: string;
    readonly centreId: string;
  };
}

export interface CustomerMatch extends CustomerSummary {
  /** 0..1, rounded to 4 decimals; 1 for an exact reference, plate, e-mail or phone. */
  readonly score: number;
  readonly matchedOn: MatchedOn;
}

export interface SearchOptions extends PageOptions {}

function summaryOf(row: CustomerRow): CustomerSummary {
  return {
    customerId: row.customer_id,
    kind: row.customer_kind,
    name: row.name,
    contactName: row.contact_name,
    email: row.email,
    phone: row.phone,
    siret: row.siret,
    plates: row.plates,
    bookingReferences: row.booking_references,
    bookingsCount: row.bookings_count,
    activeBookingsCount: row.active_bookings_count,
    firstBookedAt: isoInstant(row.first_placed_at),
    lastBooking: {
      bookingId: row.last_booking_id,
      reference: row.last_booking_reference,
      status: row.last_booking_status,
      start: row.last_booking_start,
      centreId: row.last_booking_centre_id,
    },
  };
}

/** The search input in every form the columns hold. */
export interface SearchTerms {
  /** `searchText` of the input (names, e-mails). */
  readonly text: string;
  /** A booking reference, compact (`RZEY875N`), when the input is one. */
  readonly reference: string | null;
  /** A full plate, compact, when the input is one. */
  readonly plate: string | null;
  /** Upper-case letters and digits, for partial plates and references (3+ characters). */
  readonly compact: string | null;
  /** Digits of a phone number as typed (4+ digits, `+`/`00` country prefix read as digits). */
  readonly digits: string | null;
  /** The input lower-cased when it looks like (part of) an e-mail. */
  readonly email: string | null;
}

export function searchTerms(query: string): SearchTerms {
  const trimmed = query.trim();
  const reference = parseBookingReference(trimmed);
  const plate = normalisePlate(trimmed);
  const compact = compactPlate(trimmed);
  const phoneLike = /^[+()\d\s./-]+$/.test(trimmed);
  const digits = trimmed.replace(/\D+/g, '').replace(/^00/, '');
  return {
    text: searchText(trimmed),
    reference: reference === undefined ? null : reference.replace('-', ''),
    plate: plate === undefined ? null : compactPlate(plate),
    compact: compact.length >= 3 && /^[A-Za-z0-9\s.-]+$/.test(trimmed) ? compact : null,
    digits: phoneLike && digits.length >= 4 ? digits : null,
    email: trimmed.includes('@') ? trimmed.toLowerCase() : null,
  };
}

/** Escapes LIKE metacharacters (the default escape is a backslash). */
function likeable(value: string | null): string | null {
  return value === null ? null : value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

async function trigramSchema(tx: SqlExecutor): Promise<string | null> {
  const { rows } = await tx.query<{ schema: string }>(
    `select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace
      where e.extname = 'pg_trgm'`,
  );
  const schema = rows[0]?.schema;
  return schema === undefined ? null : assertIdentifier(schema);
}

/**
 * Parameters: $1 text, $2 reference, $3 plate, $4 compact, $5 digits, $6 email (LIKE-escaped),
 * $7 limit + 1, $8/$9 cursor (score, customer id), $10 text as typed (equality, similarity).
 */
function searchSql(schema: string, trgm: string | null): string {
  const words = `(' ' || c.name_search || ' ')`;
  const nameScore =
    trgm === null
      ? `case when $1 = '' then 0
              when c.name_search = $10 then 1.0
              when ${words} like '% ' || $1 || ' %' then 0.9
              when ${words} like '% ' || $1 || '%' then 0.8
              when c.name_search like '%' || $1 || '%' then 0.6
              else 0 end`
      : `case when $1 = '' then 0 else greatest(
              ${trgm}.similarity($10, c.name_search),
              ${trgm}.word_similarity($10, c.name_search),
              case when c.name_search like '%' || $1 || '%' then 0.6 else 0 end) end`;
  const nameCandidate =
    trgm === null
      ? `(length($1) >= 2 and c.name_search like '%' || $1 || '%')`
      : `(length($1) >= 2 and (c.name_search like '%' || $1 || '%'
           or c.name_search operator(${trgm}.%) $10 or $10 operator(${trgm}.<%) c.name_search))`;
  return `
select * from (
  select to_jsonb(c) as row, m.*,
         round(greatest(m.reference, m.plate, m.email, m.phone, m.name)::numeric, 4)::float8 as score
    from ${schema}.customers c,
    lateral (select
      case when $2::text is not null and (' ' || c.references_search || ' ') like '% ' || $2 || ' %' then 1.0
           when $4::text is not null and c.references_search like '%' || $4 || '%' then 0.7 else 0 end as reference,
      case when $3::text is not null and (' ' || c.plates_search || ' ') like '% ' || $3 || ' %' then 1.0
           when $4::text is not null and c.plates_search like '%' || $4 || '%' then 0.7 else 0 end as plate,
      case when $6::text is not null and (' ' || c.email_search || ' ') like '% ' || $6 || ' %' then 1.0
           when $6::text is not null and c.email_search like '%' || $6 || '%' then 0.6 else 0 end as email,
      case when $5::text is not null and (' ' || c.phone_search || ' ') like '% ' || $5 || ' %' then 1.0
           when $5::text is not null and c.phone_search like '%' || $5 || '%' then 0.8 else 0 end as phone,
      ${nameScore} as name) m
   where ($4::text is not null and (c.references_search like '%' || $4 || '%' or c.plates_search like '%' || $4 || '%'))
      or ($2::text is not null and c.references_search like '%' || $2 || '%')
      or ($3::text is not null and c.plates_search like '%' || $3 || '%')
      or ($5::text is not null and c.phone_search like '%' || $5 || '%')
      or ($6::text is not null and c.email_search like '%' || $6 || '%')
      or ${nameCandidate}
) s
where s.score > 0
  and ($8::float8 is null or s.score < $8 or (s.score = $8 and (s.row ->> 'customer_id') > $9::text))
order by s.score desc, s.row ->> 'customer_id'
limit $7`;
}

interface SearchRow {
  readonly row: CustomerRow;
  readonly reference: number | string;
  readonly plate: number | string;
  readonly email: number | string;
  readonly phone: number | string;
  readonly name: number | string;
  readonly score: number;
}

function matchedOn(row: SearchRow): MatchedOn {
  const order: MatchedOn[] = ['reference', 'plate', 'email', 'phone', 'name'];
  // Scores are rounded to 4 decimals: the winner's raw value may sit just below its rounding.
  return order.find((key) => Number(row[key]) >= row.score - 0.00005) ?? 'name';
}

/**
 * Staff: customers matching `query` (phone, plate, name, e-mail or reference), best first. An
 * empty or one-character query finds nothing.
 */
export async function searchCustomers(
  source: ReadSource,
  tenantId: string | null,
  query: string,
  options: SearchOptions = {},
): Promise<Page<CustomerMatch>> {
  const limit = pageLimit(options);
  const schema = schemaOf(source);
  const terms = searchTerms(query);
  const after = options.cursor ? decodeCursor(options.cursor, ['number', 'string'] as const) : null;
  if (terms.text.length < 2 && terms.digits === null) return { items: [], nextCursor: null };
  return readAsTenant(source, tenantId, async (tx) => {
    const trgm = await trigramSchema(tx);
    const { rows } = await tx.query<SearchRow>(searchSql(schema, trgm), [
      likeable(terms.text),
      likeable(terms.reference),
      likeable(terms.plate),
      likeable(terms.compact),
      likeable(terms.digits),
      likeable(terms.email),
      limit + 1,
      after?.[0] ?? null,
      after?.[1] ?? null,
      terms.text,
    ]);
    const items = rows.slice(0, limit).map((row) => ({
      ...summaryOf(row.row),
      score: Number(row.score),
      matchedOn: matchedOn(row),
    }));
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > limit && last !== undefined ? encodeCursor([last.score, last.customerId]) : null,
    };
  });
}

/** Staff: one customer (data subject) of the tenant, or undefined. */
export async function customerById(
  source: ReadSource,
  tenantId: string | null,
  customerId: string,
): Promise<CustomerSummary | undefined> {
  const schema = schemaOf(source);
  return readAsTenant(source, tenantId, async (tx) => {
    const { rows } = await tx.query<{ row: CustomerRow }>(
      `select to_jsonb(c) as row from ${schema}.customers c where c.customer_id = $1`,
      [customerId],
    );
    const row = rows[0]?.row;
    return row === undefined ? undefined : summaryOf(row);
  });
}
